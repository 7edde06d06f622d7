# Embeds one file of the admin page as a byte array. Run with cmake -P:
#   -DIN=<file> -DOUT=<generated .cc> -DSYMBOL=<identifier in atws::service::ui>
# Bytes, not a string literal: the page's text may contain anything.
file(READ "${IN}" _hex HEX)
string(LENGTH "${_hex}" _hexlen)
math(EXPR _len "${_hexlen} / 2")
# One line of 32 bytes at a time keeps the generated file readable in a diff viewer.
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," _bytes "${_hex}")
string(REGEX REPLACE "((0x[0-9a-f][0-9a-f],){32})" "\\1\n" _bytes "${_bytes}")
file(WRITE "${OUT}.tmp"
     "// Generated from ${IN} by mockserver/control/ui/embed.cmake. Do not edit.\n"
     "#include <cstddef>\n\n"
     "namespace atws::control::ui {\n"
     "extern const unsigned char ${SYMBOL}[];\n"
     "extern const std::size_t ${SYMBOL}Size;\n"
     "const unsigned char ${SYMBOL}[] = {\n${_bytes}0x00};\n"
     "const std::size_t ${SYMBOL}Size = ${_len};\n"
     "}  // namespace atws::control::ui\n")
file(COPY_FILE "${OUT}.tmp" "${OUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUT}.tmp")
