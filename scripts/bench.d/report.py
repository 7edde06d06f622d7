#!/usr/bin/python3
"""Turns scripts/bench's results.json into the summary it prints and the measured part of
docs/performance.md (between the "scripts/bench: begin" and "end" markers; the rest of the
page is prose kept as it is).

    report.py RESULTS_JSON [DOC_MD]
"""
import json
import sys

BEGIN = "<!-- scripts/bench: begin (generated; edit scripts/bench.d/report.py instead) -->"
END = "<!-- scripts/bench: end -->"

WORKLOADS = [
    ("zone", "getZoneInfo"),
    ("page500", "500-row Ticket page (query id > 0)"),
    ("filtered", "filtered query (Status 1 OR 8, CreateDate range)"),
    ("create", "create (one Ticket)"),
    ("mix", "mix: filtered, create, filtered, update"),
]
SERVERS = ["mock", "wiremock", "nginx"]


def fmt_int(n):
    return f"{int(round(n)):,}"


def ratio(a, b):
    return a / b if b else float("nan")


def met(ok):
    return "yes" if ok else "**no**"


def median(xs):
    xs = sorted(xs)
    n = len(xs)
    if n == 0:
        return float("nan")
    return xs[n // 2] if n % 2 else (xs[n // 2 - 1] + xs[n // 2]) / 2


def iso_modes(iso):
    """The isolation runs grouped by label (iso_mode in scripts/bench), in the order they ran, with the medians."""
    modes = {}
    for run in iso["runs"]:
        modes.setdefault(run["mode"], []).append(run)
    out = []
    for mode, runs in modes.items():
        p = [x["probe"] for x in runs]
        first = runs[0]
        what = []
        if first.get("flags"):
            what.append(f"`{first['flags']}`")
        if "held_spacing_ms" in first:
            what.append(f"`held_spacing_ms` {first['held_spacing_ms']}")
        out.append({
            "mode": mode,
            "what": ", ".join(what) if what else f"`--held-calls {mode}`",
            "runs": runs,
            "change": median([x["p99_change_pct"] for x in p]),
            "alone": median([x["alone"]["p99_ms"] for x in p]),
            "loaded": median([x["loaded"]["p99_ms"] for x in p]),
        })
    return out


def main():
    r = json.load(open(sys.argv[1]))
    doc = sys.argv[2] if len(sys.argv) > 2 else None
    mean = r["mean_rps"]
    runs = r["runs"]
    L = []
    L.append(
        f"Measured by `scripts/bench` on {r['when']} (commit {r['commit']}): {r['cores']} cores "
        f"({r['cpu']}), {r['mem_gib']} GiB, {r['os']}, Linux {r['kernel']}; loopback; the mock "
        f"a Release build with the default data in memory; wrk {r['wrk_version']}, nginx {r['nginx']}, "
        f"WireMock {r['wiremock']} on {r['java']}, SQLite {r['sqlite']}. wrk runs on the same "
        f"two cores as the server it measures. Load average (1, 5, 15 min) before the run: "
        f"{r['load_before']}, after: {r['load_after']} — figures taken while other work runs "
        f"on the machine are not comparable.")
    L.append("")

    # Targets.
    z_wm = ratio(mean["zone.mock"], mean["zone.wiremock"])
    p_wm = ratio(mean["page500.mock"], mean["page500.wiremock"])
    p_ng = ratio(mean["page500.mock"], mean["page500.nginx"])
    ready = r["ready"]["mock_median"]
    hwm_mb = r["hwm_kb"]["mock"] * 1024 / 1e6
    hwm_reads_mb = r["hwm_kb"]["mock_reads"] * 1024 / 1e6
    L.append("### Targets")
    L.append("")
    L.append("| target | measured | ratio / figure | met |")
    L.append("|---|---|---|---|")
    L.append(f"| getZoneInfo: ≥ 2× WireMock's throughput | mock {fmt_int(mean['zone.mock'])} req/s, "
             f"WireMock {fmt_int(mean['zone.wiremock'])} req/s | {z_wm:.2f}× | {met(z_wm >= 2)} |")
    L.append(f"| 500-row Ticket page: ≥ WireMock's throughput | mock {fmt_int(mean['page500.mock'])} "
             f"pages/s, WireMock {fmt_int(mean['page500.wiremock'])} | {p_wm:.2f}× | {met(p_wm >= 1)} |")
    L.append(f"| 500-row Ticket page: ≥ ½ of nginx's static figure | nginx "
             f"{fmt_int(mean['page500.nginx'])} pages/s | {p_ng:.2f}× | {met(p_ng >= 0.5)} |")
    ready_q = r["ready"]["mock_query_median"]
    L.append(f"| ready in < 100 ms (default data) | median of 5 starts, start to the first "
             f"getZoneInfo answer | {ready:.1f} ms | {met(ready < 100)} |")
    L.append(f"| the same, to the first 500-row Ticket page of the default tenant (its data "
             f"loaded) | median of the same 5 starts | {ready_q:.1f} ms | {met(ready_q < 100)} |")
    L.append(f"| < 60 MB resident under load | peak RSS (VmHWM) over every workload above, writes "
             f"included (reads only: {hwm_reads_mb:.1f} MB) | {hwm_mb:.1f} MB | {met(hwm_mb < 60)} |")
    sc = r.get("scale")
    if sc:
        big, small = sc["large"], sc["small"]
        lr = ratio(big["place_ms_end"], big["place_ms_start"])
        L.append(f"| {fmt_int(sc['large_tickets'])} tickets: last page ≤ 1.5× the first | "
                 f"{big['place_ms_start']:.2f} ms a page at the start, {big['place_ms_end']:.2f} ms "
                 f"at the end (median of three alternating rounds of 20 pages) | "
                 f"{lr:.2f}× | {met(lr <= 1.5)} |")
        L.append(f"| {fmt_int(sc['large_tickets'])} tickets: full sync ≥ 100,000 rows/s | "
                 f"{fmt_int(big['rows'])} rows in {big['seconds']:.1f} s | "
                 f"{fmt_int(big['rows_per_second'])} rows/s | {met(big['rows_per_second'] >= 100000)} |")
    else:
        L.append("| paging 1,000,000 tickets | not measured in this run (--skip-scale) | | |")
    iso = r.get("isolation")
    if iso:
        modes = iso_modes(iso)
        d = next((m for m in modes if m["mode"] == "default"), modes[0])
        L.append(f"| a throttled tenant with 500 waiting clients changes another tenant's p99 by "
                 f"< 25 % (median of three runs, each alternating the load off and on every 4 s; "
                 f"defaults: {d['what']}) | "
                 f"p99 {d['alone']:.2f} ms with the load paused, {d['loaded']:.2f} ms with it "
                 f"running | {d['change']:+.1f} % | "
                 f"{met(abs(d['change']) < 25)} |")
        for m in modes:
            if m is d:
                continue
            L.append(f"| the same with {m['what']} ({len(m['runs'])} run(s)) | "
                     f"p99 {m['alone']:.2f} ms paused, {m['loaded']:.2f} ms running | "
                     f"{m['change']:+.1f} % | {met(abs(m['change']) < 25)} |")
    else:
        L.append("| isolation | not measured in this run (--skip-isolation) | | |")
    L.append("")

    # Throughput.
    L.append(f"### Throughput and latency (wrk -t2 -c8 -d{r['duration']} --latency, {runs} run(s) "
             "each; req/s is the mean of the runs)")
    L.append("")
    L.append("| workload | answer bytes | mock req/s | WireMock req/s | nginx req/s | mock / WireMock "
             "| mock / nginx |")
    L.append("|---|---|---|---|---|---|---|")
    bytes_ = r["bytes"]
    for key, label in WORKLOADS:
        b = {"mix": f"{bytes_['filtered']:,} / {bytes_['create']:,} / {bytes_['update']:,}"}.get(
            key, f"{bytes_.get(key, 0):,}")
        m, w, n = (mean[f"{key}.{s}"] for s in SERVERS)
        L.append(f"| {label} | {b} | {fmt_int(m)} | {fmt_int(w)} | {fmt_int(n)} | "
                 f"{ratio(m, w):.2f} | {ratio(m, n):.2f} |")
    L.append("")
    L.append("Each run (req/s, p50 / p99 latency in ms):")
    L.append("")
    L.append("| workload | run | mock | WireMock | nginx |")
    L.append("|---|---|---|---|---|")
    for key, label in WORKLOADS:
        for i in range(1, runs + 1):
            cells = []
            for s in SERVERS:
                x = r["wrk"][f"{key}.{s}.{i}"]
                cells.append(f"{fmt_int(x['rps'])} ({x['p50']:.2f} / {x['p99']:.2f})")
            L.append(f"| {label} | {i} | " + " | ".join(cells) + " |")
    L.append("")
    L.append(f"Error answers (non-2xx, socket errors) over all runs: {r['errors']}. The filtered "
             f"query returns {r['filtered_rows']} rows. Before the measured runs, a checked run "
             "of the create and mix workloads against each server confirms every answer is "
             "ReturnCode 1.")
    L.append("")

    # Ready and memory.
    rd = r["ready"]
    hw = r["hwm_kb"]
    L.append("### Time to ready and memory")
    L.append("")
    L.append("| | mock | WireMock | nginx |")
    L.append("|---|---|---|---|")
    L.append(f"| ready (start to the first getZoneInfo answer), each start | "
             f"{', '.join(f'{x:.0f}' for x in rd['mock'])} ms | "
             f"{', '.join(f'{x:.0f}' for x in rd['wiremock'])} ms | — |")
    L.append(f"| ready, median | {rd['mock_median']:.1f} ms | {rd['wiremock_median']:.0f} ms | — |")
    L.append(f"| first 500-row Ticket page answered, each start | "
             f"{', '.join(f'{x:.0f}' for x in rd['mock_query'])} ms (median "
             f"{rd['mock_query_median']:.1f} ms) | | |")
    L.append(f"| peak RSS (VmHWM) after all workloads | {hw['mock'] / 1024:.1f} MiB | "
             f"{hw['wiremock'] / 1024:.1f} MiB | {hw['nginx'] / 1024:.1f} MiB |")
    L.append(f"| peak RSS after the read workloads only | {hw['mock_reads'] / 1024:.1f} MiB | | |")
    L.append("")

    if iso:
        L.append("### Isolation: a throttled tenant does not slow the others")
        L.append("")
        L.append("Contoso (zone 5) is put at 76 % of a 1,000,000-call threshold, so each of its "
                 "answers is held back 1,000 ms (tier 2), without a thread limit; 500 wrk "
                 "connections keep calling it (`wrk -t1 -c500`, a one-row Ticket query). A client "
                 "of the German tenant (zone 18), `atws-bench probe`, calls a one-row Ticket query "
                 f"over one connection, {iso['pace_ms']} ms after each answer, for "
                 f"{iso['seconds']} s, while it pauses (SIGSTOP) and resumes (SIGCONT) the wrk "
                 f"of the 500 clients every {iso['phase_s']} s; calls in the first "
                 f"{iso['settle_s']} s of each phase are not counted. Its p99 with the load "
                 "paused and running are compared.")
        L.append("")
        L.append("| atws-mock | run | paused: calls, p50 / p90 / p99 | running: calls, p50 / "
                 "p90 / p99 | p99 change | throttled answers |")
        L.append("|---|---|---|---|---|---|")
        for m in iso_modes(iso):
            for run in m["runs"]:
                p = run["probe"]
                a, b = p["alone"], p["loaded"]
                L.append(f"| {m['mode']} | {run['run']} | {fmt_int(a['calls'])}: "
                         f"{a['p50_ms']:.2f} / {a['p90_ms']:.2f} / {a['p99_ms']:.2f} ms | "
                         f"{fmt_int(b['calls'])}: {b['p50_ms']:.2f} / {b['p90_ms']:.2f} / "
                         f"{b['p99_ms']:.2f} ms | {p['p99_change_pct']:+.1f} % | "
                         f"{fmt_int(run['throttled_answers'])} |")
            if len(m["runs"]) > 1:
                L.append(f"| {m['mode']} | median | p99 {m['alone']:.2f} ms | p99 "
                         f"{m['loaded']:.2f} ms | {m['change']:+.1f} % | |")
        L.append("")
        L.append("Runs: " + "; ".join(f"{m['mode']} = {m['what']}" for m in iso_modes(iso)) +
                 " (`held_spacing_ms` is the throttled tenant's setting, docs/threshold.md).")
        L.append("")

    if sc:
        big, small = sc["large"], sc["small"]
        L.append("### Scale: paging through a large tenant")
        L.append("")
        L.append("`atws-bench sync` (tests/bench/atws_bench.cc: libcurl, one keep-alive "
                 "connection, each answer read while it arrives by a streaming tokenizer, no "
                 "tree) pages through every Ticket with `id > last`, 500 a page; a page's time is "
                 "request to parsed answer. The same sync read by libxml2's SAX2 push parser "
                 "(`--parser libxml2`) must find the same rows and ids; its rate is in the last "
                 "column. The cost by place: 20 pages from the first id, from "
                 "the middle one and up to the last one (`atws-bench sync --after ID "
                 "--max-pages 20`), three rounds in turn, the median of each place; the same "
                 "places within the one sync (median of 10 pages) in brackets.")
        L.append("")
        L.append("| tenant | rows | pages | full sync | rows/s | page at start | middle | end | "
                 "end / start | rows/s with libxml2 SAX2 |")
        L.append("|---|---|---|---|---|---|---|---|---|---|")
        for label, s in ((f"{fmt_int(sc['large_tickets'])} tickets", big), ("10,000 tickets", small)):
            L.append(f"| {label} | {fmt_int(s['rows'])} | {fmt_int(s['pages'])} | "
                     f"{s['seconds']:.2f} s | {fmt_int(s['rows_per_second'])} | "
                     f"{s['place_ms_start']:.2f} ms ({s['page_ms_start']:.2f}) | "
                     f"{s['place_ms_middle']:.2f} ms ({s['page_ms_middle']:.2f}) | "
                     f"{s['place_ms_end']:.2f} ms ({s['page_ms_end']:.2f}) | "
                     f"{ratio(s['place_ms_end'], s['place_ms_start']):.2f} | "
                     f"{fmt_int(s.get('libxml2_rows_per_second', 0))} |")
        L.append("")
        L.append(f"Peak RSS of the mock serving the {fmt_int(sc['large_tickets'])}-ticket tenant "
                 f"(SQLite file, default page cache): {sc['large_hwm_kb'] / 1024:.1f} MiB.")
        L.append("")

    L.append("### Commands")
    L.append("")
    L.append("```")
    L.append("scripts/bench                 # everything above; writes this section")
    L.append("scripts/bench --quick         # 3 s runs, once, a 100,000-ticket tenant; "
             "--no-doc prints only")
    L.append(f"atws-mock --listen 127.0.0.1:PORT {r['mock_flags']}")
    L.append("ATWS_BENCH_SEQ=page500 wrk -t2 -c8 -d10s --latency -s scripts/bench.d/seq.lua "
             "http://127.0.0.1:PORT/webservices5/atservices/1.6/atws.asmx")
    L.append("ATWS_BENCH_SEQ=zone wrk ... http://127.0.0.1:PORT/atservices/1.6/atws.asmx")
    L.append("ATWS_BENCH_SEQ=filtered,create,filtered,update wrk ...   # the mix")
    L.append("nginx: tests/artifacts/bench/nginx/nginx.conf (1 worker, sendfile; ATWS_BENCH_SEQ="
             "page500@/page500.xml …)")
    L.append("java -jar scripts/bench.d/node_modules/wiremock/build/wiremock-standalone-*.jar "
             "--port PORT --root-dir tests/artifacts/bench/wiremock --no-request-journal")
    L.append("atws-bench ready --port PORT --query /webservices5/atservices/1.6/atws.asmx -- "
             "atws-mock --listen 127.0.0.1:PORT ...")
    L.append("atws-gen-tenant --tickets 1000000 --out DIR && atws-mock --data DIR ... && "
             "atws-bench sync --url http://127.0.0.1:PORT/webservices5/atservices/1.6/atws.asmx")
    L.append("```")
    section = "\n".join(L).rstrip() + "\n"

    print(section)
    if doc:
        try:
            text = open(doc, encoding="utf-8").read()
        except FileNotFoundError:
            text = "# Performance\n\n" + BEGIN + "\n" + END + "\n"
        if BEGIN in text and END in text:
            head, rest = text.split(BEGIN, 1)
            _, tail = rest.split(END, 1)
            text = head + BEGIN + "\n" + section + END + tail
        else:
            text = text.rstrip() + "\n\n" + BEGIN + "\n" + section + END + "\n"
        open(doc, "w", encoding="utf-8").write(text)


if __name__ == "__main__":
    main()
