//! Charts drawn on the server as SVG: the module map (a squarified treemap) and activity per
//! month (bars). No script and no chart library: a page is complete as it arrives, and the
//! two layouts are ours (Bruls, Huizing and van Wijk's squarified treemap is a page of code).

use maud::{html, Markup};

/// One tile of the map.
pub struct Tile {
    pub label: String,
    /// Area weight (lines of code); at least 1.
    pub weight: f64,
    /// `low`, `medium` or `high`: colours the tile.
    pub level: String,
    pub href: String,
    /// The tooltip and accessible name.
    pub title: String,
}

#[derive(Debug, Clone, Copy, PartialEq)]
struct Rect {
    x: f64,
    y: f64,
    w: f64,
    h: f64,
}

/// The worst aspect ratio of a row of areas laid along a side of length `side`.
fn worst(sum: f64, min: f64, max: f64, side: f64) -> f64 {
    let s2 = side * side;
    let sum2 = sum * sum;
    (s2 * max / sum2).max(sum2 / (s2 * min))
}

/// Squarified layout of `areas` (sorted largest first, summing to `r`'s area) in `r`.
fn squarify(areas: &[f64], r: Rect) -> Vec<Rect> {
    let mut out = Vec::with_capacity(areas.len());
    let mut rest = r;
    let mut i = 0;
    while i < areas.len() {
        let side = rest.w.min(rest.h).max(f64::EPSILON);
        let (mut sum, mut min, mut max) = (areas[i], areas[i], areas[i]);
        let mut j = i + 1;
        while j < areas.len() {
            let a = areas[j];
            let before = worst(sum, min, max, side);
            let after = worst(sum + a, min.min(a), max.max(a), side);
            if after > before {
                break;
            }
            sum += a;
            min = min.min(a);
            max = max.max(a);
            j += 1;
        }
        if rest.w >= rest.h {
            // a column on the left
            let w = if rest.h > 0.0 { sum / rest.h } else { 0.0 };
            let mut y = rest.y;
            for &a in &areas[i..j] {
                let h = if w > 0.0 { a / w } else { 0.0 };
                out.push(Rect { x: rest.x, y, w, h });
                y += h;
            }
            rest = Rect {
                x: rest.x + w,
                w: (rest.w - w).max(0.0),
                ..rest
            };
        } else {
            // a row on top
            let h = if rest.w > 0.0 { sum / rest.w } else { 0.0 };
            let mut x = rest.x;
            for &a in &areas[i..j] {
                let w = if h > 0.0 { a / h } else { 0.0 };
                out.push(Rect { x, y: rest.y, w, h });
                x += w;
            }
            rest = Rect {
                y: rest.y + h,
                h: (rest.h - h).max(0.0),
                ..rest
            };
        }
        i = j;
    }
    out
}

/// The fill of a fragility level: light enough for dark text, the same three colours as the
/// level badges and the legend.
pub fn level_fill(level: &str) -> &'static str {
    match level {
        "high" => "#f4a89a",
        "medium" => "#fcdf8a",
        _ => "#cfeacf",
    }
}

/// The module map: tiles sized by `weight`, coloured by `score`, each a link.
pub fn treemap(tiles: &[Tile], width: f64, height: f64, label: &str) -> Markup {
    let mut order: Vec<&Tile> = tiles.iter().filter(|t| t.weight > 0.0).collect();
    order.sort_by(|a, b| b.weight.total_cmp(&a.weight));
    let total: f64 = order.iter().map(|t| t.weight).sum();
    let scale = if total > 0.0 {
        width * height / total
    } else {
        0.0
    };
    let areas: Vec<f64> = order.iter().map(|t| t.weight * scale).collect();
    let rects = squarify(
        &areas,
        Rect {
            x: 0.0,
            y: 0.0,
            w: width,
            h: height,
        },
    );
    html! {
        svg class="treemap" viewBox={ "0 0 " (width) " " (height) } role="group"
            aria-label=(label) {
            @for (t, r) in order.iter().zip(&rects) {
                a href=(t.href) aria-label=(t.title) {
                    title { (t.title) }
                    rect x=(fmt(r.x)) y=(fmt(r.y)) width=(fmt(r.w)) height=(fmt(r.h))
                        fill=(level_fill(&t.level)) stroke="#ffffff" stroke-width="1.5" {}
                    @if r.w >= 56.0 && r.h >= 18.0 {
                        text x=(fmt(r.x + 4.0)) y=(fmt(r.y + 14.0)) {
                            (fit(&t.label, r.w - 8.0))
                        }
                    }
                }
            }
        }
    }
}

/// Commits per month as bars, the fixes among them darker, with month labels every quarter.
pub fn monthly_bars(months: &[(String, u32, u32)], label: &str) -> Markup {
    let (w, h, left, right, bottom, top) = (720.0, 180.0, 34.0, 24.0, 22.0, 8.0);
    let max = months.iter().map(|m| m.1).max().unwrap_or(0).max(1);
    let n = months.len().max(1) as f64;
    let slot = (w - left - right) / n;
    let bar = (slot * 0.72).max(1.0);
    let plot_h = h - bottom - top;
    let y_of = |v: u32| top + plot_h - plot_h * f64::from(v) / f64::from(max);
    html! {
        svg class="bars" viewBox={ "0 0 " (w) " " (h) } role="img" aria-label=(label) {
            line x1=(left) y1=(fmt(top + plot_h)) x2=(w - right) y2=(fmt(top + plot_h)) class="axis" {}
            text x=(left - 4.0) y=(fmt(top + 8.0)) class="tick" text-anchor="end" { (max) }
            text x=(left - 4.0) y=(fmt(top + plot_h)) class="tick" text-anchor="end" { "0" }
            @for (i, (month, commits, fixes)) in months.iter().enumerate() {
                @let x = left + slot * i as f64 + (slot - bar) / 2.0;
                g {
                    title { (month_name(month)) ": " (commits) " changes, " (fixes) " fixes" }
                    rect x=(fmt(x)) y=(fmt(y_of(*commits))) width=(fmt(bar))
                        height=(fmt(top + plot_h - y_of(*commits))) class="changes" {}
                    rect x=(fmt(x)) y=(fmt(y_of(*fixes))) width=(fmt(bar))
                        height=(fmt(top + plot_h - y_of(*fixes))) class="fixes" {}
                }
                @if i % 3 == 0 || i + 1 == months.len() {
                    text x=(fmt(x + bar / 2.0)) y=(fmt(h - 6.0)) class="tick" text-anchor="middle" {
                        (month_name(month))
                    }
                }
            }
        }
    }
}

/// One end of the dependency graph: a module's display name, its page, and the import
/// statements behind the edge.
pub struct GraphEnd<'a> {
    pub name: &'a str,
    pub href: String,
    pub imports: u64,
}

/// The module in the middle, what uses it on the left and what it depends on on the right,
/// each joined to it by a line as thick as the imports behind the edge allow.
pub fn dependency_graph(
    center: &str,
    used_by: &[GraphEnd<'_>],
    depends_on: &[GraphEnd<'_>],
    label: &str,
) -> Markup {
    let rows = used_by.len().max(depends_on.len()).max(1);
    let (w, row_h, box_w) = (720.0, 26.0, 190.0);
    let h = row_h * rows as f64 + 16.0;
    let cy = h / 2.0;
    let max = used_by
        .iter()
        .chain(depends_on)
        .map(|e| e.imports)
        .max()
        .unwrap_or(1)
        .max(1) as f64;
    let width = |n: u64| 1.0 + 5.0 * (n as f64 / max);
    let y_of =
        |i: usize, n: usize| 8.0 + row_h * (i as f64 + 0.5) + row_h * (rows - n) as f64 / 2.0;
    let side = |ends: &[GraphEnd<'_>], left: bool| {
        let (x_text, x_line, anchor) = if left {
            (box_w - 6.0, box_w, "end")
        } else {
            (w - box_w + 6.0, w - box_w, "start")
        };
        let x_mid = if left { w / 2.0 - 70.0 } else { w / 2.0 + 70.0 };
        html! {
            @for (i, e) in ends.iter().enumerate() {
                @let y = y_of(i, ends.len());
                a href=(e.href) {
                    title { (e.name) ": " (e.imports) " import statements" }
                    line x1=(fmt(x_line)) y1=(fmt(y)) x2=(fmt(x_mid)) y2=(fmt(cy)) class="edge" stroke-width=(fmt(width(e.imports))) {}
                    text x=(fmt(x_text)) y=(fmt(y + 4.0)) text-anchor=(anchor) { (fit(e.name, box_w - 10.0)) " (" (e.imports) ")" }
                }
            }
        }
    };
    html! {
        svg class="depgraph" viewBox={ "0 0 " (w) " " (fmt(h)) } role="img" aria-label=(label) {
            (side(used_by, true))
            (side(depends_on, false))
            rect x=(fmt(w / 2.0 - 70.0)) y=(fmt(cy - 14.0)) width="140" height="28" rx="6" class="center" {}
            text x=(fmt(w / 2.0)) y=(fmt(cy + 4.0)) text-anchor="middle" class="center" { (fit(center, 130.0)) }
        }
    }
}

/// `2026-03` as `Mar 26`.
pub fn month_name(m: &str) -> String {
    const NAMES: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    match m.split_once('-') {
        Some((y, mm)) => match mm.parse::<usize>() {
            Ok(i @ 1..=12) => format!("{} {}", NAMES[i - 1], y.get(2..).unwrap_or(y)),
            _ => m.to_string(),
        },
        None => m.to_string(),
    }
}

fn fmt(v: f64) -> String {
    format!("{:.1}", v)
}

/// The label as it fits in `width` pixels at about 7 px a character: whole, else its last
/// path segment (the distinctive part: `valves` of `catalina/valves`), else cut.
fn fit(label: &str, width: f64) -> String {
    let max = (width / 7.0).floor().max(1.0) as usize;
    if label.chars().count() <= max {
        return label.to_string();
    }
    let last = label.rsplit('/').next().unwrap_or(label);
    if last.chars().count() <= max {
        return last.to_string();
    }
    let mut s: String = last.chars().take(max.saturating_sub(1)).collect();
    s.push('…');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_treemap_covers_its_area_with_tiles_in_proportion_to_their_weights() {
        let areas = [36.0, 24.0, 16.0, 12.0, 8.0, 4.0];
        let r = Rect {
            x: 0.0,
            y: 0.0,
            w: 12.0,
            h: 8.33333333333,
        };
        let total: f64 = areas.iter().sum();
        let scaled: Vec<f64> = areas.iter().map(|a| a * r.w * r.h / total).collect();
        let rects = squarify(&scaled, r);
        assert_eq!(rects.len(), areas.len());
        for (a, q) in scaled.iter().zip(&rects) {
            assert!((q.w * q.h - a).abs() < 1e-6, "{q:?} should have area {a}");
            assert!(q.x >= -1e-9 && q.y >= -1e-9);
            assert!(
                q.x + q.w <= r.w + 1e-6 && q.y + q.h <= r.h + 1e-6,
                "{q:?} leaves the map"
            );
        }
        // squarified: no sliver worse than 1:4 on this classic example
        for q in &rects {
            let ratio = (q.w / q.h).max(q.h / q.w);
            assert!(ratio < 4.0, "{q:?} is a sliver");
        }
    }

    #[test]
    fn month_names_are_short_and_labels_keep_their_distinctive_end() {
        assert_eq!(month_name("2026-03"), "Mar 26");
        assert_eq!(month_name("bad"), "bad");
        assert_eq!(fit("catalina/valves", 200.0), "catalina/valves");
        assert_eq!(fit("catalina/valves", 60.0), "valves");
        assert_eq!(fit("catalina/authenticator", 60.0), "authent…");
    }

    #[test]
    fn labels_are_cut_to_their_tile_and_escaped() {
        let tiles = [Tile {
            label: "<catalina/startup>".into(),
            weight: 10.0,
            level: "medium".into(),
            href: "/modules/a\"b".into(),
            title: "x & y".into(),
        }];
        let svg = treemap(&tiles, 100.0, 40.0, "map").into_string();
        assert!(svg.contains("startup&gt;"), "{svg}");
        assert!(svg.contains("/modules/a&quot;b"), "{svg}");
        assert!(!svg.contains("<catalina"));
    }
}
