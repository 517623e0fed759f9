//! JSON documents for the property tests of the one-pass page decoders: trees that may repeat a
//! key, written with or without `\u` escapes and whitespace, and strategies for the values each
//! field of the platforms' records has been seen with (plus some it must refuse).

#![allow(clippy::needless_pass_by_value, clippy::unwrap_used)]

use proptest::collection::vec;
use proptest::prelude::*;

/// A JSON value whose objects keep their keys in order, repeats included.
#[derive(Debug, Clone)]
pub(crate) enum Json {
    Null,
    Bool(bool),
    /// A number as written (possibly not valid JSON).
    Num(String),
    Str(String),
    Arr(Vec<Json>),
    Obj(Vec<(String, Json)>),
}

impl Json {
    pub(crate) fn num(n: impl ToString) -> Self {
        Json::Num(n.to_string())
    }

    pub(crate) fn str(s: &str) -> Self {
        Json::Str(s.to_owned())
    }
}

/// How a document is written.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Style {
    /// Every non-ASCII character and every `e` as a `\u` escape (surrogate pairs past U+FFFF).
    pub(crate) escape: bool,
    /// Spaces and line breaks between tokens.
    pub(crate) spaced: bool,
}

pub(crate) fn style() -> impl Strategy<Value = Style> {
    (any::<bool>(), any::<bool>()).prop_map(|(escape, spaced)| Style { escape, spaced })
}

fn write_str(s: &str, style: Style, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c if style.escape && (!c.is_ascii() || c == 'e') => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    out.push_str(&format!("\\u{unit:04X}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

pub(crate) fn write(json: &Json, style: Style) -> String {
    let mut out = String::new();
    write_into(json, style, &mut out);
    out
}

fn write_into(json: &Json, style: Style, out: &mut String) {
    let gap = if style.spaced { " \n\t" } else { "" };
    match json {
        Json::Null => out.push_str("null"),
        Json::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Json::Num(n) => out.push_str(n),
        Json::Str(s) => write_str(s, style, out),
        Json::Arr(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(gap);
                write_into(item, style, out);
            }
            out.push_str(gap);
            out.push(']');
        }
        Json::Obj(fields) => {
            out.push('{');
            for (i, (key, value)) in fields.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(gap);
                write_str(key, style, out);
                out.push_str(gap);
                out.push(':');
                out.push_str(gap);
                write_into(value, style, out);
            }
            out.push_str(gap);
            out.push('}');
        }
    }
}

/// Text of every kind: plain, CJK and emoji, quotes, backslashes and control characters.
pub(crate) fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "[a-z0-9 ]{0,10}",
        2 => "\\PC{0,10}",
        1 => "[\\x00-\\x1f\"\\\\/]{0,4}",
        1 => Just("一般吧 \"引号\"\n😡".to_owned()),
    ]
}

/// Any small JSON value (for unknown keys and wrong types).
pub(crate) fn any_json() -> impl Strategy<Value = Json> {
    let leaf = prop_oneof![
        Just(Json::Null),
        any::<bool>().prop_map(Json::Bool),
        prop_oneof![
            any::<u64>().prop_map(Json::num),
            any::<i64>().prop_map(Json::num),
            Just(Json::num("1.5")),
            Just(Json::num("-0")),
            Just(Json::num("1e400")),
            Just(Json::num("2.5E-3")),
        ],
        text().prop_map(Json::Str),
    ];
    leaf.prop_recursive(3, 12, 3, |inner| {
        prop_oneof![
            vec(inner.clone(), 0..3).prop_map(Json::Arr),
            vec(("[a-z]{1,4}", inner), 0..3).prop_map(Json::Obj),
        ]
    })
}

/// An integer in the forms the platforms send (a number, a decimal string), with `clean`
/// false also the forms a decoder must think about (`null`, `""`, signs, floats, garbage).
pub(crate) fn int(max: u64, clean: bool) -> BoxedStrategy<Json> {
    let good = prop_oneof![
        (0..=max).prop_map(Json::num),
        (0..=max).prop_map(|n| Json::Str(n.to_string())),
    ];
    if clean {
        return good.boxed();
    }
    prop_oneof![
        30 => good,
        1 => prop_oneof![
            Just(Json::Null),
            Just(Json::str("")),
            Just(Json::str("+7")),
            Just(Json::str("007")),
            Just(Json::num("-3")),
            Just(Json::str("-3")),
            Just(Json::num("100.0")),
            Just(Json::num("1.5")),
            Just(Json::num("1e2")),
            Just(Json::num(u64::MAX)),
            Just(Json::num("18446744073709551616")),
            any_json(),
        ],
    ]
    .boxed()
}

/// A string field: a string, or with `clean` false also `null` and other types.
pub(crate) fn string(clean: bool) -> BoxedStrategy<Json> {
    if clean {
        return text().prop_map(Json::Str).boxed();
    }
    prop_oneof![30 => text().prop_map(Json::Str), 2 => Just(Json::Null), 1 => any_json()].boxed()
}

/// A lenient boolean.
pub(crate) fn flag(clean: bool) -> BoxedStrategy<Json> {
    let good = any::<bool>().prop_map(Json::Bool);
    if clean {
        return good.boxed();
    }
    prop_oneof![
        6 => good,
        1 => prop_oneof![Just(Json::num(0)), Just(Json::num(1)), Just(Json::num(2))],
        1 => prop_oneof![Just(Json::str("true")), Just(Json::str("1")), Just(Json::str("0")), Just(Json::str("")), Just(Json::str("yes"))],
        1 => Just(Json::Null),
    ]
    .boxed()
}

/// An object of `(key, value, required)` fields: an optional field may be absent, a required
/// one only when `clean` is false, which also brings unknown keys and a repeated key.
pub(crate) fn object(
    fields: Vec<(&'static str, BoxedStrategy<Json>, bool)>,
    clean: bool,
) -> BoxedStrategy<Json> {
    let present: Vec<BoxedStrategy<Option<(String, Json)>>> = fields
        .into_iter()
        .map(|(key, value, required)| {
            let field = value.prop_map(move |v| (key.to_owned(), v));
            let weight = match (required, clean) {
                (true, true) => return field.prop_map(Some).boxed(),
                (true, false) => 0.97,
                (false, _) => 0.85,
            };
            proptest::option::weighted(weight, field).boxed()
        })
        .collect();
    let extra = if clean {
        Just(Vec::new()).boxed()
    } else {
        proptest::option::weighted(0.2, ("[a-z]{1,5}", any_json()))
            .prop_map(|extra| extra.into_iter().collect())
            .boxed()
    };
    (present, extra, proptest::bool::weighted(0.05))
        .prop_map(move |(present, extra, repeat)| {
            let mut fields: Vec<(String, Json)> = present.into_iter().flatten().collect();
            if repeat
                && !clean
                && let Some(first) = fields.first().cloned()
            {
                fields.push(first);
            }
            fields.extend(extra);
            Json::Obj(fields)
        })
        .boxed()
}

/// `value`, or with `clean` false sometimes `null` or anything else.
pub(crate) fn or_odd(value: BoxedStrategy<Json>, clean: bool) -> BoxedStrategy<Json> {
    if clean {
        return value;
    }
    prop_oneof![30 => value, 2 => Just(Json::Null), 1 => any_json()].boxed()
}

/// A list of `item`s.
pub(crate) fn list(item: BoxedStrategy<Json>, max: usize) -> BoxedStrategy<Json> {
    vec(item, 0..max).prop_map(Json::Arr).boxed()
}
