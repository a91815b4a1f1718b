"""The PII section of `make bench` (also `make bench-pii`, or `python -m tests.pii_corpus` alone).

Scans every note of the labelled corpus with `coproduction.pii.scan`, passing the borough's
allow-list, and prints per-type recall for the dev split, the held-out test split and both,
then the issue's targets. A target passes only when both the held-out test split and the whole
corpus meet it, so tuning on dev alone cannot pass it. Missed items and false alarms are listed
only with PII_BENCH_VERBOSE=1 (the corpus is fictional, but the default output stays short).
"""

import time
from collections.abc import Callable
from dataclasses import dataclass

from tests.pii_corpus import (
    SPLITS,
    STRUCTURED_TYPES,
    TYPES,
    Evaluation,
    accepts_allow_terms,
    call_scan,
    evaluate,
    load_allow_list,
    load_notes,
    throughput,
    verbose,
)


@dataclass
class Target:
    label: str
    measure: Callable[[Evaluation], float | None]
    limit: float
    at_least: bool  # True: the measure must reach the limit; False: it must not exceed it

    def met(self, value: float | None) -> bool:
        if value is None:
            return False
        return value >= self.limit if self.at_least else value <= self.limit


TARGETS = [
    Target("recall, structured identifiers >= 0.95", lambda e: e.structured_recall, 0.95, True),
    Target("recall, names >= 0.85", lambda e: e.name_recall, 0.85, True),
    Target("false alarms per 50 clean notes <= 10", lambda e: e.false_alarms_per_50, 10, False),
]
THROUGHPUT_TARGET = 100_000  # characters per second, one process


def cell(value: float | None, digits: int = 2) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def print_recall_table(results: dict[str, Evaluation]) -> None:
    columns = list(results)
    print(f"{'':22}" + "".join(f"{name:>28}" for name in columns))
    print(f"{'type':22}" + f"{'items':>14}{'found':>7}{'recall':>7}" * len(columns))
    for kind in TYPES:
        row = f"{kind:22}"
        for name in columns:
            e = results[name]
            row += f"{e.items[kind]:>14}{e.found[kind]:>7}{cell(e.recall([kind])):>7}"
        print(row)
    for label, types in (("structured (pooled)", STRUCTURED_TYPES), ("names", ["NAME"]), ("all items", TYPES)):
        row = f"{label:22}"
        for name in columns:
            e = results[name]
            row += f"{sum(e.items[t] for t in types):>14}{sum(e.found[t] for t in types):>7}{cell(e.recall(types)):>7}"
        print(row)


def print_noise_table(results: dict[str, Evaluation]) -> None:
    rows = [
        ("clean notes", lambda e: str(e.clean_notes)),
        ("false alarms on clean notes", lambda e: str(e.false_alarms)),
        ("false alarms per 50 clean notes", lambda e: cell(e.false_alarms_per_50, 1)),
        ("planted notes", lambda e: str(e.planted_notes)),
        ("spurious findings on planted notes", lambda e: str(e.spurious)),
        ("chars/s, one scan per note", lambda e: f"{e.chars_per_second:,.0f}"),
    ]
    print(f"{'':36}" + "".join(f"{name:>14}" for name in results))
    for label, show in rows:
        print(f"{label:36}" + "".join(f"{show(e):>14}" for e in results.values()))
    every = results["all"]
    kinds = ", ".join(f"{kind} {count}" for kind, count in every.false_alarm_types.most_common())
    print(f"false alarms and spurious findings by finding type (all): {kinds or 'none'}")


def print_details(results: dict[str, Evaluation]) -> None:
    for name in SPLITS:
        e = results[name]
        print(f"\nmissed in {name} ({len(e.missed)}):")
        for kind, text in sorted(e.missed):
            print(f"  {kind:14} {text!r}")
        print(f"false alarms and spurious findings in {name} ({len(e.false_alarm_texts)}):")
        for kind, text in sorted(e.false_alarm_texts):
            print(f"  {kind:14} {text!r}")


def run(scan_function: Callable | None = None) -> int:
    """Print the PII section; return 0 when every target passes, 1 otherwise."""
    if scan_function is None:
        from coproduction.pii import scan as scan_function
    allow_terms = load_allow_list()
    takes_allow = accepts_allow_terms(scan_function)
    # The first call may load word lists; time it apart so the rates below are steady-state ones.
    start = time.perf_counter()
    call_scan(scan_function, "met jade at the hub on monday", allow_terms)
    first_call = time.perf_counter() - start
    notes = {split: load_notes("planted", split) + load_notes("clean", split) for split in SPLITS}
    results = {split: evaluate(scan_function, notes[split], allow_terms) for split in SPLITS}
    results["all"] = results["dev"] + results["test"]
    bulk = throughput(scan_function, notes["dev"] + notes["test"], allow_terms)

    print("PII scanner on the labelled corpus (tests/pii_corpus; a finding must cover the whole item, <= 3 chars more)")
    print(
        f"allow-list of {len(allow_terms)} entries "
        + ("passed as allow_terms" if takes_allow else "NOT passed: scan() takes no allow_terms yet")
    )
    print(f"first call (loads what the scanner needs): {first_call:.2f} s")
    print_recall_table(results)
    print()
    print_noise_table(results)
    print(f"chars/s, whole corpus x20 in one scan: {bulk:,.0f}")
    if verbose():
        print_details(results)

    print(f"\n{'target (must hold on test and on all)':44}{'dev':>9}{'test':>9}{'all':>9}  verdict")
    failed = 0
    for target in TARGETS:
        values = {name: target.measure(e) for name, e in results.items()}
        ok = target.met(values["test"]) and target.met(values["all"])
        failed += not ok
        print(f"{target.label:44}" + "".join(f"{cell(values[n]):>9}" for n in results) + f"  {'PASS' if ok else 'FAIL'}")
    slowest = min(results["all"].chars_per_second, bulk)
    ok = slowest >= THROUGHPUT_TARGET
    failed += not ok
    print(f"{'chars/s >= 100,000 (slower of the two ways)':44}{'':>18}{slowest:>9,.0f}  {'PASS' if ok else 'FAIL'}")
    return 1 if failed else 0
