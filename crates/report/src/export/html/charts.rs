//! Sections 3 and 4: the chart containers. Four charts over time share one time axis (hover
//! and drag-to-zoom are synchronised; warm-up is shaded, stage boundaries are dashed), then
//! the latency percentile spectrum. `assets/report.js` draws into each `.chart[data-chart]`
//! from the embedded data and sets `data-rendered` to its number of points.

use loadcell_schema::{Model, Summary};

use crate::text::escape::html;

struct Chart {
    name: &'static str,
    title: &'static str,
    note: String,
    /// Offers a linear / logarithmic switch for the y axis (latency charts, where one
    /// stall would otherwise flatten everything else).
    log_toggle: bool,
}

fn figure(chart: &Chart, wide: bool) -> String {
    let toggle = if chart.log_toggle {
        format!(
            "<button type=\"button\" class=\"toggle\" data-log-for=\"chart-{}\" aria-pressed=\"false\">log scale</button>",
            chart.name
        )
    } else {
        String::new()
    };
    format!(
        "<figure class=\"card panel{}\"><figcaption><b>{}</b><span>{}</span>{toggle}</figcaption>\
         <div class=\"chart\" id=\"chart-{}\" data-chart=\"{}\"></div></figure>\n",
        if wide { " wide" } else { "" },
        html(chart.title),
        html(&chart.note),
        chart.name,
        chart.name,
    )
}

/// Section 3: throughput, latency, load and errors over time.
pub fn over_time(summary: &Summary) -> String {
    let latency_note = match summary.model {
        Model::Open => "per second, from the scheduled start",
        Model::Closed => "per second, from the request sent",
    };
    let load_note = match summary.model {
        Model::Open => "busy VUs; target and achieved arrival rate",
        Model::Closed => "busy VUs over time",
    };
    let charts = [
        Chart {
            name: "throughput",
            title: "Throughput",
            note: "requests per second, ok and failed stacked".into(),
            log_toggle: false,
        },
        Chart {
            name: "latency",
            title: "Latency",
            note: format!("p50 · p95 · p99 {latency_note}"),
            log_toggle: true,
        },
        Chart {
            name: "load",
            title: "Load",
            note: load_note.into(),
            log_toggle: false,
        },
        Chart {
            name: "errors",
            title: "Errors",
            note: "per second by kind".into(),
            log_toggle: false,
        },
    ];
    let mut out = String::from("<section id=\"charts\"><h2>Over time</h2><div class=\"charts\">\n");
    for chart in &charts {
        out += &figure(chart, false);
    }
    out.push_str(
        "</div><p class=\"hint\">Drag across a chart to zoom all four into that time range; double-click to zoom out. \
         Shaded: warm-up (not in the totals). Dashed lines: load stage boundaries.</p></section>\n",
    );
    out
}

/// Section 4: the latency distribution as a percentile spectrum.
pub fn distribution(summary: &Summary) -> String {
    let chart = Chart {
        name: "spectrum",
        title: "Latency by percentile",
        note: format!(
            "{} responses; the x axis stretches the tail: each step right is ten times rarer",
            crate::text::number::int(summary.latency_ms.count)
        ),
        log_toggle: true,
    };
    format!(
        "<section id=\"distribution\"><h2>Latency distribution</h2>{}</section>\n",
        figure(&chart, true)
    )
}
