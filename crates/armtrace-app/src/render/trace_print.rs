//! The printable trace request: a self-contained HTML page (inline style, no scripts, no
//! external resources) with the information ITI paragraph 17 asks for.
//!
//! Every value that comes from a record is escaped here, in [`escape`]; this file must
//! not decide anything about the request (status, completeness): it only prints it.

use armtrace_core::trace::{AddresseeKind, TraceRequest, TraceStatus, TraceSubject};

/// Escapes text for HTML element content and quoted attribute values.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
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

fn or_dash(value: Option<impl ToString>) -> String {
    value.map_or_else(|| "—".to_owned(), |v| escape(&v.to_string()))
}

const STYLE: &str = "body{font-family:Georgia,serif;max-width:48em;margin:2em auto;color:#111}\
h1{font-size:1.4em}h2{font-size:1.1em;margin-top:1.6em;border-bottom:1px solid #999}\
table{border-collapse:collapse;width:100%}th,td{border:1px solid #999;padding:.3em;text-align:left;vertical-align:top}\
th{background:#eee}.text{white-space:pre-wrap}.draft{color:#a00;font-weight:bold}code{font-size:.85em;word-break:break-all}\
@media print{body{margin:0}.draft{border:2px solid #a00;padding:.3em}}";

/// The request as a printable, self-contained HTML page (inline style, no scripts, no
/// external resources). Every value from the record is escaped.
pub fn render_html(request: &TraceRequest) -> String {
    let r = request;
    let mut h = String::new();
    let title = format!("Tracing request {}", escape(&r.reference));
    h.push_str(&format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{title}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<h1>{title}</h1>\n"
    ));
    if r.status == TraceStatus::Draft {
        h.push_str("<p class=\"draft\">DRAFT: not sent.</p>\n");
    }
    let kind = match r.addressee.kind {
        AddresseeKind::Manufacturer => "manufacturer",
        AddresseeKind::State => "state",
    };
    let addressee = match r.addressee.country {
        Some(c) => format!(
            "{} ({kind}, {})",
            escape(&r.addressee.name),
            escape(c.name())
        ),
        None => format!("{} ({kind})", escape(&r.addressee.name)),
    };
    h.push_str("<table>\n");
    for (label, value) in [
        ("Reference", escape(&r.reference)),
        ("From", escape(&r.requesting_party)),
        ("To", addressee),
        ("Date", or_dash(r.sent_on.or(Some(r.created_on)))),
        ("Reply requested by", or_dash(r.due_on)),
        ("Subject", subject_text(&r.subject)),
    ] {
        h.push_str(&format!("<tr><th>{label}</th><td>{value}</td></tr>\n"));
    }
    h.push_str("</table>\n");

    h.push_str(
        "<h2>1. Illicit nature of the items and legal justification (ITI para. 17(a))</h2>\n",
    );
    h.push_str(&format!("<p class=\"text\">{}</p>\n", escape(&r.reason)));

    h.push_str("<h2>2. Markings, type, calibre and other relevant information (ITI para. 17(b))</h2>\n<table>\n<tr>");
    for head in [
        "Ref",
        "Type",
        "Model",
        "Calibre",
        "Manufacturer",
        "Country of manufacture",
        "Year",
        "Serial number",
        "Lot",
        "Markings",
    ] {
        h.push_str(&format!("<th>{head}</th>"));
    }
    h.push_str("</tr>\n");
    for p in &r.particulars {
        let cells = [
            escape(&p.reference),
            or_dash(p.item_type.clone().or_else(|| Some(p.category.to_string()))),
            or_dash(p.model.as_ref()),
            or_dash(p.calibre.as_ref()),
            or_dash(p.manufacturer.as_ref()),
            or_dash(p.country_of_manufacture.map(|c| c.name())),
            or_dash(p.year_of_manufacture),
            or_dash(p.serial_number.as_ref()),
            or_dash(p.lot_number.as_ref()),
            or_dash(p.markings.as_ref()),
        ];
        h.push_str("<tr>");
        for cell in cells {
            h.push_str(&format!("<td class=\"text\">{cell}</td>"));
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</table>\n");

    h.push_str("<h2>3. Intended use of the information sought (ITI para. 17(c))</h2>\n");
    h.push_str(&format!(
        "<p class=\"text\">{}</p>\n",
        or_dash(r.intended_use.as_ref())
    ));

    h.push_str("<h2>Photographs and documents (by hash)</h2>\n");
    if r.photos.is_empty() {
        h.push_str("<p>None attached.</p>\n");
    } else {
        h.push_str("<ul>\n");
        for photo in &r.photos {
            h.push_str(&format!("<li><code>{}</code></li>\n", escape(photo)));
        }
        h.push_str("</ul>\n");
    }
    if let Some(answer) = &r.answer {
        h.push_str(&format!(
            "<h2>Answer ({})</h2>\n<p class=\"text\">{}</p>\n",
            or_dash(r.answered_on),
            escape(answer)
        ));
    }
    h.push_str("</body>\n</html>\n");
    h
}

fn subject_text(subject: &TraceSubject) -> String {
    let refs = |refs: &[String]| escape(&refs.join(", "));
    match subject {
        TraceSubject::Item { reference } => format!("Item {}", escape(reference)),
        TraceSubject::Run { refs: r } => format!("Serial run of {} items: {}", r.len(), refs(r)),
        TraceSubject::Lot {
            manufacturer,
            lot,
            year,
            refs: r,
        } => {
            let mut s = format!("Lot {}", escape(lot));
            if let Some(m) = manufacturer {
                s.push_str(&format!(" of {}", escape(m)));
            }
            if let Some(y) = year {
                s.push_str(&format!(", year {y}"));
            }
            s.push_str(&format!(", {} items: {}", r.len(), refs(r)));
            s
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use armtrace_core::fixtures::{date, trace_request as request};
    use armtrace_core::link::{LinkEntry, lot_clusters};

    #[test]
    fn html_escapes_every_user_text() {
        let mut r = request();
        r.reference = "TR-<1>".into();
        r.requesting_party = "Team \"A\" & co".into();
        r.reason = "<script>alert('x')</script>".into();
        r.addressee.name = "<b>Ministry</b>".into();
        r.particulars[0].markings = Some("<img src=x onerror=alert(1)>".into());
        r.photos = vec!["sha256:<ab>".into()];
        r.subject = TraceSubject::Run {
            refs: vec!["a<b".into(), "c".into()],
        };
        r.answer = Some("It's </p> done".into());
        let html = render_html(&r);
        for raw in [
            "<script>",
            "<b>Ministry",
            "<img",
            "<ab>",
            "a<b",
            "</p> done",
            "TR-<1>",
            "'x'",
            "\"A\"",
        ] {
            assert!(!html.contains(raw), "{raw} unescaped");
        }
        assert!(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"));
        assert!(html.contains("Team &quot;A&quot; &amp; co"));
        assert!(html.contains("<title>Tracing request TR-&lt;1&gt;</title>"));
        assert!(html.contains("Serial run of 2 items: a&lt;b, c"));
    }

    #[test]
    fn html_has_the_iti_fields() {
        let mut r = request();
        r.intended_use = Some("To identify the point of diversion.".into());
        r.photos = vec!["sha256:0123abcd".into()];
        let html = render_html(&r);
        for needed in [
            "<!DOCTYPE html>",
            "DRAFT: not sent.",
            "ITI para. 17(a)",
            "Recovered from an armed group in breach of an arms embargo.",
            "ITI para. 17(b)",
            "<td class=\"text\">AB1234</td>",
            "<td class=\"text\">7.62x39mm</td>",
            "<td class=\"text\">assault rifle</td>",
            "<td class=\"text\">Bulgaria</td>",
            "ITI para. 17(c)",
            "To identify the point of diversion.",
            "<code>sha256:0123abcd</code>",
            "Ministry of Foreign Affairs (state, Bulgaria)",
            "<tr><th>Date</th><td>2016-01-05</td></tr>",
        ] {
            assert!(html.contains(needed), "{needed} missing");
        }
        assert!(
            !html.contains("<script") && !html.contains("http"),
            "self-contained"
        );
        r.advance(TraceStatus::Sent, date("2016-01-10")).unwrap();
        let html = render_html(&r);
        assert!(!html.contains("DRAFT"));
        assert!(html.contains("<tr><th>Date</th><td>2016-01-10</td></tr>"));
    }

    #[test]
    fn lot_subjects_name_the_lot() {
        let e = |r: &'static str| LinkEntry {
            reference: r,
            manufacturer: Some("F10"),
            lot: Some("17-83"),
            year: Some(1983),
            ..LinkEntry::default()
        };
        let subject = TraceSubject::from(&lot_clusters(&[e("a"), e("b")])[0]);
        assert_eq!(
            subject_text(&subject),
            "Lot 1783 of F10, year 1983, 2 items: a, b"
        );
    }
}
