//! WeChat's flat XML documents, read into JSON values and written back.
//!
//! WeChat's XML messages are element trees with text leaves and no attributes that matter, so
//! they map onto JSON objects with string leaves. Reading them through that mapping lets one
//! decoder serve the XML and the JSON forms of a message. Document type declarations are
//! refused and only the five predefined entities and character references are resolved, so no
//! entity can expand.

use quick_xml::Reader;
use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::Event;
use serde_json::{Map, Value};

/// How deep elements may nest before the document is refused.
const MAX_DEPTH: usize = 32;

/// An XML document this crate will not read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum XmlError {
    /// The document declares a DTD, which could declare expanding entities.
    #[error("XML with a document type declaration (DTD) is refused")]
    Dtd,
    /// An entity reference other than the predefined five or a character reference.
    #[error(
        "XML entity &{0}; is not allowed: only &lt; &gt; &amp; &apos; &quot; and character references"
    )]
    Entity(String),
    /// Elements nested deeper than this reader allows.
    #[error("XML nests deeper than {MAX_DEPTH} elements")]
    TooDeep,
    /// No root element.
    #[error("XML document has no root element")]
    Empty,
    /// Text or elements after the root element.
    #[error("XML has content after its root element")]
    TrailingContent,
    /// Malformed XML.
    #[error("malformed XML: {0}")]
    Syntax(String),
    /// A key that cannot be an element name.
    #[error("{0:?} cannot be an XML element name")]
    Name(String),
}

struct Frame {
    name: String,
    children: Map<String, Value>,
    text: String,
}

impl Frame {
    fn new(name: String) -> Self {
        Self {
            name,
            children: Map::new(),
            text: String::new(),
        }
    }

    /// The element's name and value: an object if it has child elements, else its text.
    fn finish(self) -> (String, Value) {
        let value = if self.children.is_empty() {
            Value::String(self.text)
        } else {
            Value::Object(self.children)
        };
        (self.name, value)
    }
}

fn insert(map: &mut Map<String, Value>, key: String, value: Value) {
    match map.get_mut(&key) {
        None => {
            map.insert(key, value);
        }
        Some(Value::Array(items)) => items.push(value),
        Some(existing) => {
            let first = existing.take();
            *existing = Value::Array(vec![first, value]);
        }
    }
}

fn syntax(err: impl std::fmt::Display) -> XmlError {
    XmlError::Syntax(err.to_string())
}

/// Reads an XML document into the object of its root element's children.
///
/// Repeated elements become arrays; an element with children becomes an object; any other
/// element becomes its text (CDATA included). The root's own name is not kept.
///
/// ```
/// let fields = review_model::xml::to_json(
///     "<xml><Event><![CDATA[wxa_comment_bad_score]]></Event><result><comment_id>1</comment_id></result></xml>",
/// )?;
/// assert_eq!(fields["result"]["comment_id"], "1");
/// # Ok::<(), review_model::xml::XmlError>(())
/// ```
pub fn to_json(document: &str) -> Result<Map<String, Value>, XmlError> {
    let mut reader = Reader::from_str(document);
    let mut stack: Vec<Frame> = Vec::new();
    let mut root: Option<Value> = None;
    loop {
        let event = reader.read_event().map_err(syntax)?;
        match event {
            Event::Start(start) => {
                if root.is_some() {
                    return Err(XmlError::TrailingContent);
                }
                if stack.len() >= MAX_DEPTH {
                    return Err(XmlError::TooDeep);
                }
                let name = start.name();
                let name = std::str::from_utf8(name.as_ref()).map_err(syntax)?;
                stack.push(Frame::new(name.to_owned()));
            }
            Event::Empty(start) => {
                let name = start.name();
                let name = std::str::from_utf8(name.as_ref())
                    .map_err(syntax)?
                    .to_owned();
                match stack.last_mut() {
                    Some(parent) => {
                        insert(&mut parent.children, name, Value::String(String::new()));
                    }
                    None if root.is_none() => root = Some(Value::Object(Map::new())),
                    None => return Err(XmlError::TrailingContent),
                }
            }
            Event::End(_) => {
                let frame = stack.pop().ok_or_else(|| syntax("unexpected end tag"))?;
                let (name, value) = frame.finish();
                match stack.last_mut() {
                    Some(parent) => insert(&mut parent.children, name, value),
                    None => root = Some(value),
                }
            }
            Event::Text(text) => {
                let text = text.xml_content().map_err(syntax)?;
                match stack.last_mut() {
                    Some(frame) => frame.text.push_str(&text),
                    None if text.trim().is_empty() => {}
                    None => return Err(XmlError::TrailingContent),
                }
            }
            Event::CData(data) => {
                let text = data.decode().map_err(syntax)?;
                match stack.last_mut() {
                    Some(frame) => frame.text.push_str(&text),
                    None => return Err(XmlError::TrailingContent),
                }
            }
            Event::GeneralRef(reference) => {
                let resolved = if reference.is_char_ref() {
                    let c = reference.resolve_char_ref().map_err(syntax)?;
                    c.map(String::from)
                } else {
                    let name = reference.decode().map_err(syntax)?;
                    match resolve_predefined_entity(&name) {
                        Some(text) => Some(text.to_owned()),
                        None => return Err(XmlError::Entity(name.into_owned())),
                    }
                };
                let frame = stack.last_mut().ok_or(XmlError::TrailingContent)?;
                frame.text.push_str(&resolved.unwrap_or_default());
            }
            Event::DocType(_) => return Err(XmlError::Dtd),
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) => {}
            Event::Eof => break,
        }
    }
    if !stack.is_empty() {
        return Err(syntax("unclosed element"));
    }
    match root {
        Some(Value::Object(map)) => Ok(map),
        Some(_) => Ok(Map::new()),
        None => Err(XmlError::Empty),
    }
}

fn valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    let first_ok = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
    first_ok && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

fn write_cdata(out: &mut String, text: &str) {
    out.push_str("<![CDATA[");
    // "]]>" cannot appear inside CDATA: close the section between "]]" and ">".
    out.push_str(&text.replace("]]>", "]]]]><![CDATA[>"));
    out.push_str("]]>");
}

fn write_element(out: &mut String, name: &str, value: &Value) -> Result<(), XmlError> {
    if !valid_name(name) {
        return Err(XmlError::Name(name.to_owned()));
    }
    if let Value::Array(items) = value {
        for item in items {
            write_element(out, name, item)?;
        }
        return Ok(());
    }
    out.push('<');
    out.push_str(name);
    out.push('>');
    match value {
        Value::Null => {}
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&n.to_string()),
        Value::String(s) => write_cdata(out, s),
        Value::Object(map) => write_children(out, map)?,
        Value::Array(_) => {}
    }
    out.push_str("</");
    out.push_str(name);
    out.push('>');
    Ok(())
}

fn write_children(out: &mut String, map: &Map<String, Value>) -> Result<(), XmlError> {
    for (key, value) in map {
        write_element(out, key, value)?;
    }
    Ok(())
}

/// Writes an object as WeChat writes its messages: `<xml>` around one element per key, strings
/// in CDATA, numbers and booleans bare, arrays as repeated elements.
pub fn from_json(fields: &Map<String, Value>) -> Result<String, XmlError> {
    let mut out = String::from("<xml>");
    write_children(&mut out, fields)?;
    out.push_str("</xml>");
    Ok(out)
}
