"""Plot bench/compare.py's JSON: one panel per workload, a bar per server (median, whiskers min–max).
Runs in the bench venv (matplotlib is not a gureum dependency): python compare_plot.py RESULTS.json OUT.png
"""

from __future__ import annotations

import json
import statistics
import sys
import textwrap

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

COLORS = {"gureum": "#2b6cb0", "moto": "#dd6b20", "ministack": "#38a169", "localstack": "#805ad5"}


def main(src: str, out: str) -> None:
    doc = json.load(open(src))
    servers, metrics = doc["servers"], doc["metrics"]
    cols = 4
    rows = (len(metrics) + cols - 1) // cols
    fig, axes = plt.subplots(rows, cols, figsize=(4.2 * cols, 3.0 * rows))
    for ax, metric in zip(axes.flat, metrics):
        key = metric["key"]
        missing: list[int] = []
        for i, server in enumerate(servers):
            values = doc["values"][key].get(server) or []
            if values:
                med = statistics.median(values)
                ax.bar(
                    i, med, color=COLORS.get(server, "gray"), yerr=[[med - min(values)], [max(values) - med]], capsize=3
                )
                ax.text(i, med, f"{med:,.0f}" if med >= 10 else f"{med:.2f}", ha="center", va="bottom", fontsize=7)
            else:
                missing.append(i)
        if key == "send-single" and doc.get("ceiling"):
            ceiling = statistics.median(doc["ceiling"])
            ax.axhline(ceiling, color="red", linestyle="--", linewidth=1)
            ax.text(len(servers) - 0.5, ceiling, "client ceiling", color="red", fontsize=7, ha="right", va="bottom")
        arrow = "higher is better" if metric["higher_is_better"] else "lower is better"
        ax.set_title("\n".join(textwrap.wrap(metric["label"], 38)), fontsize=8)
        ax.set_ylabel(f"{metric['unit']} ({arrow})", fontsize=7)
        ax.set_xticks(range(len(servers)), servers, fontsize=7)
        ax.tick_params(axis="y", labelsize=7)
        ax.margins(y=0.15)
        top = ax.get_ylim()[1] if ax.has_data() else 1.0
        for i in missing:  # a server that cannot do this workload: said so, not left blank
            ax.text(i, top * 0.04, "n/a", ha="center", va="bottom", fontsize=8, color="gray")
    for ax in list(axes.flat)[len(metrics) :]:
        ax.axis("off")
    fig.suptitle(
        f"gureum vs moto / MiniStack / LocalStack — {doc['meta']['date']} (median, whiskers min–max over "
        f"{doc['meta']['rounds']} rounds)",
        fontsize=10,
    )
    fig.tight_layout()
    fig.savefig(out, dpi=110)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
