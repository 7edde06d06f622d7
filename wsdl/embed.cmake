# Embeds a text file as a C++ string constant. Run with cmake -P:
#   -DIN=<template file> -DOUT=<generated .cc> -DSYMBOL=<identifier in atws::wsdl::internal>
# The text goes into a raw string literal, so it must not contain the delimiter.
file(READ "${IN}" _text)
set(_delim "ATWS_EMBED")
string(FIND "${_text}" ")${_delim}\"" _clash)
if(NOT _clash EQUAL -1)
  message(FATAL_ERROR "${IN} contains the raw string delimiter )${_delim}\"")
endif()
string(LENGTH "${_text}" _len)
file(WRITE "${OUT}.tmp"
     "// Generated from ${IN} by wsdl/embed.cmake. Do not edit.\n"
     "#include <cstddef>\n\n"
     "namespace atws::wsdl::internal {\n"
     "extern const char ${SYMBOL}[];\n"
     "extern const std::size_t ${SYMBOL}Size;\n"
     "const char ${SYMBOL}[] = R\"${_delim}(${_text})${_delim}\";\n"
     "const std::size_t ${SYMBOL}Size = ${_len};\n"
     "}  // namespace atws::wsdl::internal\n")
# Only touch OUT when the content changed, so an unchanged template does not recompile.
file(COPY_FILE "${OUT}.tmp" "${OUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUT}.tmp")
