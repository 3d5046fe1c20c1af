//! Charts drawn on the server as inline SVG (no script, printable, readable without
//! colour: every bar and cell carries its number, and a table beside each chart holds
//! the same figures).

use std::fmt::Write as _;

/// Text for SVG: the five XML specials escaped.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const FONT: &str = "font-family=\"'Noto Sans CJK SC','Noto Sans SC','Source Han Sans SC','Microsoft YaHei',sans-serif\"";

/// One bar: its label, this period's value and the comparison value (a thin mark).
pub struct Bar<'a> {
    pub label: &'a str,
    pub value: i64,
    pub compare: i64,
}

/// Horizontal bars, largest first as given, with a tick for the comparison value.
pub fn bars(title: &str, compare_label: &str, items: &[Bar<'_>]) -> String {
    let row_h = 24;
    let label_w = 150;
    let bar_w = 360;
    let h = 28 + row_h * items.len().max(1) as i32 + 24;
    let w = label_w + bar_w + 70;
    let max = items
        .iter()
        .map(|b| b.value.max(b.compare))
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let mut s = String::new();
    let _ = write!(
        s,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w} {h}\" width=\"100%\" \
         role=\"img\" aria-label=\"{t}\" class=\"chart\" {FONT} font-size=\"12\">\
         <title>{t}</title>",
        t = esc(title)
    );
    for (i, b) in items.iter().enumerate() {
        let y = 20 + row_h * i as i32;
        let len = (b.value as f64 / max * f64::from(bar_w)).round() as i32;
        let mark = label_w + (b.compare as f64 / max * f64::from(bar_w)).round() as i32;
        let _ = write!(
            s,
            "<text x=\"{lx}\" y=\"{ty}\" text-anchor=\"end\">{label}</text>\
             <rect x=\"{label_w}\" y=\"{y}\" width=\"{len}\" height=\"16\" fill=\"#2b6cb0\"/>\
             <line x1=\"{mark}\" x2=\"{mark}\" y1=\"{y0}\" y2=\"{y1}\" stroke=\"#c05621\" stroke-width=\"2\"/>\
             <text x=\"{vx}\" y=\"{ty}\">{v}</text>",
            lx = label_w - 6,
            ty = y + 12,
            label = esc(b.label),
            y0 = y - 2,
            y1 = y + 18,
            vx = label_w + len.max(0) + 6,
            v = b.value,
        );
    }
    let ly = h - 8;
    let _ = write!(
        s,
        "<rect x=\"{label_w}\" y=\"{ry}\" width=\"12\" height=\"10\" fill=\"#2b6cb0\"/>\
         <line x1=\"{cx}\" x2=\"{cx}\" y1=\"{ry}\" y2=\"{ry2}\" stroke=\"#c05621\" stroke-width=\"2\"/>\
         <text x=\"{tx}\" y=\"{ly}\">{cl}</text></svg>",
        ry = ly - 9,
        ry2 = ly + 1,
        cx = label_w + 24,
        tx = label_w + 30,
        cl = esc(compare_label),
    );
    s
}

/// One point of a line chart: its label and two series' values.
pub struct Point<'a> {
    pub label: &'a str,
    pub value: i64,
    pub compare: i64,
}

/// Two lines over the same periods (this range solid, the comparison dashed).
pub fn lines(title: &str, legend: (&str, &str), points: &[Point<'_>]) -> String {
    let (w, h) = (640, 240);
    let (left, right, top, bottom) = (44, 28, 16, 44);
    let pw = w - left - right;
    let ph = h - top - bottom;
    let max = points
        .iter()
        .map(|p| p.value.max(p.compare))
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let n = points.len().max(1);
    let x = |i: usize| {
        if n == 1 {
            left + pw / 2
        } else {
            left + (i as i32 * pw) / (n as i32 - 1)
        }
    };
    let y = |v: i64| top + ph - (v as f64 / max * f64::from(ph)).round() as i32;
    let mut s = String::new();
    let _ = write!(
        s,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w} {h}\" width=\"100%\" \
         role=\"img\" aria-label=\"{t}\" class=\"chart\" {FONT} font-size=\"11\">\
         <title>{t}</title>\
         <line x1=\"{left}\" x2=\"{r}\" y1=\"{b}\" y2=\"{b}\" stroke=\"#718096\"/>\
         <text x=\"{lx}\" y=\"{ty}\" text-anchor=\"end\">{max}</text>\
         <text x=\"{lx}\" y=\"{b}\" text-anchor=\"end\">0</text>",
        t = esc(title),
        r = w - right,
        b = top + ph,
        lx = left - 4,
        ty = top + 8,
        max = max as i64,
    );
    let path = |f: &dyn Fn(&Point<'_>) -> i64| {
        points
            .iter()
            .enumerate()
            .map(|(i, p)| format!("{},{}", x(i), y(f(p))))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let _ = write!(
        s,
        "<polyline fill=\"none\" stroke=\"#c05621\" stroke-width=\"2\" stroke-dasharray=\"5 3\" points=\"{}\"/>\
         <polyline fill=\"none\" stroke=\"#2b6cb0\" stroke-width=\"2.5\" points=\"{}\"/>",
        path(&|p| p.compare),
        path(&|p| p.value)
    );
    // At most about twelve labels along the axis.
    let step = n.div_ceil(12).max(1);
    for (i, p) in points.iter().enumerate() {
        let _ = write!(
            s,
            "<circle cx=\"{}\" cy=\"{}\" r=\"2.5\" fill=\"#2b6cb0\"><title>{} {}</title></circle>",
            x(i),
            y(p.value),
            esc(p.label),
            p.value
        );
        if i % step == 0 {
            let _ = write!(
                s,
                "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
                x(i),
                top + ph + 14,
                esc(p.label)
            );
        }
    }
    let ly = h - 8;
    let _ = write!(
        s,
        "<line x1=\"{left}\" x2=\"{l2}\" y1=\"{ly4}\" y2=\"{ly4}\" stroke=\"#2b6cb0\" stroke-width=\"2.5\"/>\
         <text x=\"{t1}\" y=\"{ly}\">{a}</text>\
         <line x1=\"{c1}\" x2=\"{c2}\" y1=\"{ly4}\" y2=\"{ly4}\" stroke=\"#c05621\" stroke-width=\"2\" stroke-dasharray=\"5 3\"/>\
         <text x=\"{t2}\" y=\"{ly}\">{b}</text></svg>",
        l2 = left + 20,
        ly4 = ly - 4,
        t1 = left + 26,
        a = esc(legend.0),
        c1 = left + 180,
        c2 = left + 200,
        t2 = left + 206,
        b = esc(legend.1),
    );
    s
}

/// A 7 × 24 heat map: weekdays down, hours across; darker is more, each cell titled
/// with its number.
pub fn heat(title: &str, weekdays: &[&str; 7], cells: &[(u8, u8, i64)]) -> String {
    let (cell, left, top) = (22, 44, 18);
    let w = left + cell * 24 + 8;
    let h = top + cell * 7 + 8;
    let max = cells.iter().map(|c| c.2).max().unwrap_or(0).max(1) as f64;
    let mut s = String::new();
    let _ = write!(
        s,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w} {h}\" width=\"100%\" \
         role=\"img\" aria-label=\"{t}\" class=\"chart\" {FONT} font-size=\"10\">\
         <title>{t}</title>",
        t = esc(title)
    );
    for hour in (0..24).step_by(3) {
        let _ = write!(
            s,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{hour}</text>",
            left + hour * cell + cell / 2,
            top - 6
        );
    }
    for (d, name) in weekdays.iter().enumerate() {
        let _ = write!(
            s,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>",
            left - 6,
            top + d as i32 * cell + 15,
            esc(name)
        );
    }
    for &(dow, hour, n) in cells {
        // Lightness from 96 % (none) to 30 % (the most).
        let l = 96.0 - (n as f64 / max) * 66.0;
        let _ = write!(
            s,
            "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"hsl(212,60%,{l:.0}%)\" \
             stroke=\"#fff\"><title>{} {}:00 {n}</title></rect>",
            left + i32::from(hour) * cell,
            top + i32::from(dow) * cell,
            cell,
            cell,
            esc(weekdays.get(usize::from(dow)).copied().unwrap_or("")),
            hour
        );
    }
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_escaped_and_values_written() {
        let svg = bars(
            "按单位",
            "去年同期",
            &[Bar {
                label: "<城关>&所",
                value: 12,
                compare: 30,
            }],
        );
        assert!(svg.contains("&lt;城关&gt;&amp;所"), "{svg}");
        assert!(svg.contains(">12</text>"));
        assert!(!svg.contains("<城关>"));
    }

    #[test]
    fn a_line_has_one_point_per_period_and_no_nan() {
        let pts = [
            Point {
                label: "2026-01",
                value: 3,
                compare: 0,
            },
            Point {
                label: "2026-02",
                value: 0,
                compare: 0,
            },
        ];
        let svg = lines("t", ("今年", "去年"), &pts);
        assert_eq!(svg.matches("<circle").count(), 2);
        assert!(!svg.contains("NaN"));
        let empty = lines("t", ("a", "b"), &[]);
        assert!(empty.ends_with("</svg>"));
    }

    #[test]
    fn the_heat_map_has_a_cell_per_hour_of_the_week() {
        let cells: Vec<(u8, u8, i64)> = (0..7)
            .flat_map(|d| (0..24).map(move |h| (d, h, i64::from(h))))
            .collect();
        let svg = heat("t", &["一", "二", "三", "四", "五", "六", "日"], &cells);
        assert_eq!(svg.matches("<rect").count(), 168);
        assert!(svg.contains("hsl(212,60%,30%)"));
    }
}
