//! The canonical JSON text the audit chain hashes: one spelling for every JSON value,
//! chosen so that an outside party reproduces it with Python's standard library,
//! `json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True)`.
//!
//! * object keys sorted by code point, no whitespace anywhere;
//! * strings escape `"` and `\`, use `\b \f \n \r \t`, and write every other character
//!   outside printable ASCII (space to `~`) as `\uXXXX` in lowercase hex, characters
//!   beyond U+FFFF as a surrogate pair; the text is therefore pure ASCII;
//! * integers in decimal; other numbers as Python's `repr(float)`: the shortest digits
//!   that read back to the same double, fixed notation with at least one decimal when
//!   the decimal exponent is in -4..16 (`0.0001`, `100.0`), otherwise `1e+16`, `1.5e-07`.
//!
//! Integers beyond 64 bits are outside the format (the JSON reader turns them into
//! doubles). Nothing here reads or writes anything but strings.

use std::fmt::Write;

use serde_json::Value;

/// The canonical text of `value`.
pub fn canonical_json(value: &Value) -> String {
    let mut out = String::new();
    write_value(&mut out, value);
    out
}

/// Appends the canonical text of `value` to `out`.
pub fn write_value(out: &mut String, value: &Value) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(true) => out.push_str("true"),
        Value::Bool(false) => out.push_str("false"),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                let _ = write!(out, "{i}");
            } else if let Some(u) = n.as_u64() {
                let _ = write!(out, "{u}");
            } else {
                write_float(
                    out,
                    n.as_f64().expect("a JSON number is an integer or a double"),
                );
            }
        }
        Value::String(s) => write_string(out, s),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_value(out, item);
            }
            out.push(']');
        }
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            // Byte order of UTF-8 is code point order, which is how Python sorts keys.
            entries.sort_unstable_by(|a, b| a.0.cmp(b.0));
            out.push('{');
            for (i, (key, item)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_string(out, key);
                out.push(':');
                write_value(out, item);
            }
            out.push('}');
        }
    }
}

/// Appends `s` as a canonical JSON string (ASCII only).
pub fn write_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            ' '..='~' => out.push(c),
            _ => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    let _ = write!(out, "\\u{unit:04x}");
                }
            }
        }
    }
    out.push('"');
}

/// Appends a finite double as Python's `repr` spells it.
fn write_float(out: &mut String, x: f64) {
    // `{:e}` gives the shortest digits that read back to `x`, as `d.ddde±N`; but when
    // two such digit strings are equally near `x` it may pick the upper one, where
    // Python picks the even one (9185597922015.0625 → Python's `…015.062`). Formatting
    // again to that many digits rounds the exact value half-to-even, as Python does.
    let shortest = format!("{x:e}");
    let digit_count = shortest
        .split('e')
        .next()
        .expect("LowerExp writes a mantissa")
        .bytes()
        .filter(u8::is_ascii_digit)
        .count();
    let sci = format!("{x:.prec$e}", prec = digit_count - 1);
    let (mantissa, exponent) = sci.split_once('e').expect("LowerExp writes an exponent");
    let exponent: i32 = exponent
        .parse()
        .expect("LowerExp writes a decimal exponent");
    let (negative, mantissa) = match mantissa.strip_prefix('-') {
        Some(m) => (true, m),
        None => (false, mantissa),
    };
    let mut digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    while digits.len() > 1 && digits.ends_with('0') {
        digits.pop();
    }
    // The value is 0.DIGITS × 10^point.
    let point = exponent + 1;
    if negative {
        out.push('-');
    }
    if -4 < point && point <= 16 {
        let len = digits.len() as i32;
        if point <= 0 {
            out.push_str("0.");
            out.extend(std::iter::repeat_n('0', (-point) as usize));
            out.push_str(&digits);
        } else if point < len {
            out.push_str(&digits[..point as usize]);
            out.push('.');
            out.push_str(&digits[point as usize..]);
        } else {
            out.push_str(&digits);
            out.extend(std::iter::repeat_n('0', (point - len) as usize));
            out.push_str(".0");
        }
    } else {
        out.push_str(&digits[..1]);
        if digits.len() > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        let e = point - 1;
        let _ = write!(out, "e{}{:02}", if e < 0 { '-' } else { '+' }, e.abs());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    fn float(x: f64) -> String {
        canonical_json(&json!(x))
    }

    #[test]
    fn floats_are_spelled_as_python_repr() {
        // Each pair was printed by CPython 3: `json.dumps(x)`.
        let cases = [
            (0.1, "0.1"),
            (1e16, "1e+16"),
            (1.5e-7, "1.5e-07"),
            (1e-5, "1e-05"),
            (1e-4, "0.0001"),
            (1e15, "1000000000000000.0"),
            (123.456, "123.456"),
            (-0.0, "-0.0"),
            (0.0, "0.0"),
            (2.5e-300, "2.5e-300"),
            (f64::MAX, "1.7976931348623157e+308"),
            (100.0, "100.0"),
            (-3.0, "-3.0"),
            // Exactly halfway between …062 and …063: Python rounds to even.
            (9_185_597_922_015.0 + 1.0 / 16.0, "9185597922015.062"),
            (0.125, "0.125"),
            (5e-324, "5e-324"),
            (1.0e22, "1e+22"),
            (123456789012345680.0, "1.2345678901234568e+17"),
        ];
        for (x, python) in cases {
            assert_eq!(float(x), python, "{x:e}");
        }
    }

    #[test]
    fn strings_and_objects_match_python_json_dumps() {
        let value = json!({"b": 1, "a": [true, null, "x\u{e9}\u{1F600}\n\t\u{7f}\u{1}\"\\/"]});
        // json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
        assert_eq!(
            canonical_json(&value),
            r#"{"a":[true,null,"x\u00e9\ud83d\ude00\n\t\u007f\u0001\"\\/"],"b":1}"#
        );
    }

    #[test]
    fn a_double_reads_back_as_the_same_double() {
        // Found by the property below: without serde_json's `float_roundtrip`, this
        // value read back one unit in the last place off, changing an entry's hash.
        let x: f64 = -1.4148606662634143e159;
        let text = canonical_json(&json!(x));
        assert_eq!(text, "-1.4148606662634143e+159");
        let back: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back.as_f64().unwrap().to_bits(), x.to_bits());
    }

    #[test]
    fn integers_stay_integers() {
        assert_eq!(
            canonical_json(&json!([0, -7, u64::MAX, i64::MIN])),
            "[0,-7,18446744073709551615,-9223372036854775808]"
        );
    }

    fn any_value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(|i| json!(i)),
            any::<u64>().prop_map(|u| json!(u)),
            any::<f64>()
                .prop_filter("JSON numbers are finite", |f| f.is_finite())
                .prop_map(|f| json!(f)),
            any::<String>().prop_map(Value::String),
        ];
        leaf.prop_recursive(3, 32, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                prop::collection::vec((any::<String>(), inner), 0..6)
                    .prop_map(|pairs| Value::Object(pairs.into_iter().collect())),
            ]
        })
    }

    proptest! {
        /// The canonical text is JSON that reads back to the same value, is ASCII, and is
        /// a fixed point: canonicalising what it reads back gives the same text.
        #[test]
        fn canonical_text_reads_back_to_the_same_value(value in any_value()) {
            let text = canonical_json(&value);
            prop_assert!(text.is_ascii());
            let back: Value = serde_json::from_str(&text).expect("canonical text is JSON");
            prop_assert_eq!(&back, &value);
            prop_assert_eq!(canonical_json(&back), text);
        }

        /// Key order in the input does not change the text.
        #[test]
        fn key_order_does_not_matter(pairs in prop::collection::vec((any::<String>(), any::<i64>()), 0..8)) {
            let forward: serde_json::Map<String, Value> =
                pairs.iter().map(|(k, v)| (k.clone(), json!(v))).collect();
            let mut reversed = serde_json::Map::new();
            for (k, v) in forward.iter().rev() {
                reversed.insert(k.clone(), v.clone());
            }
            prop_assert_eq!(
                canonical_json(&Value::Object(forward)),
                canonical_json(&Value::Object(reversed))
            );
        }
    }
}
