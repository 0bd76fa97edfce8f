"""Export cost at the cap: 10,000 need rows laid out by linkage.exports and written as xlsx and csv,
against the JSON the same rows make as a list page (the baseline, measured in the same run).

    PYTHONPATH=. .venv/bin/python benchmarks/export.py
"""

from __future__ import annotations

import json
import time

from linkage import exports

ROWS = exports.EXPORT_CAP


def items() -> list[dict]:
    return [
        {
            "id": n,
            "title": f"陪同独居老人到医院复诊{n}",
            "community_name": "新华里社区",
            "category": "养老",
            "status": "open",
            "urgency": "urgent" if n % 7 == 0 else "normal",
            "target_groups": ["elderly"],
            "skills": ["陪诊", "助老"],
            "qualification_required": "",
            "starts_at": "2026-12-05T09:00:00+08:00",
            "ends_at": "2026-12-05T12:00:00+08:00",
            "volunteers_needed": 2,
            "hours_estimate": 3.0,
            "budget_fen": 12345 * (n % 5),
            "description": "=HYPERLINK(1)" if n % 100 == 0 else "王奶奶86岁，独居。",
            "created_at": "2026-12-01T10:00:00+08:00",
        }
        for n in range(ROWS)
    ]


def timed(label: str, run) -> float:
    start = time.perf_counter()
    body = run()
    seconds = time.perf_counter() - start
    print(f"{label:<6} {seconds:6.2f} s  {len(body) / 1e6:6.2f} MB")
    return seconds


def main() -> None:
    rows = items()
    print(f"{ROWS} rows of {len(exports.NEEDS.columns)} columns")
    baseline = timed("json", lambda: json.dumps({"items": rows}, ensure_ascii=False).encode())
    for fmt in exports.FORMATS:
        seconds = timed(fmt, lambda fmt=fmt: exports.export_file(exports.NEEDS, rows, ROWS, fmt, "bench").body)
        print(f"{fmt} / json = {seconds / baseline:.1f}x")


if __name__ == "__main__":
    main()
