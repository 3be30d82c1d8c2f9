//! Parameter extractors of the API: [`ApiForm`] (query string merged with a JSON or
//! form-urlencoded body, like Rails' `params`) and [`ApiQuery`] (query string only).
//!
//! Both go through one lenient value tree, so every client style works: `media_ids[]=1&
//! media_ids[]=2`, `media_ids=1`, JSON `["1", 2]`; `"true"`, `1`, `true`; `source[privacy]=x`
//! and `fields_attributes[0][name]=x`. Bad syntax is 400, fields that do not fit are 422.

use super::error::ApiError;
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use serde::de::value::{Error as DeError, MapDeserializer, SeqDeserializer};
use serde::de::{self, DeserializeOwned, IntoDeserializer, Visitor};

/// Parameters from the query string and a JSON or form-urlencoded body (body wins).
/// Another content type with a non-empty body is refused with 415; multipart is left to the
/// media endpoints.
#[derive(Debug)]
pub struct ApiForm<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiForm<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let content_type = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_ascii_lowercase();
        let mut params = match req.uri().query() {
            Some(q) => parse_form(q.as_bytes())?,
            None => Loose::Map(Vec::new()),
        };
        let bytes = Bytes::from_request(req, state).await.map_err(|e| {
            if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::too_large()
            } else {
                ApiError::bad_request("The request body could not be read")
            }
        })?;
        let body = if bytes.iter().all(u8::is_ascii_whitespace) {
            None
        } else if content_type.starts_with("application/json") || content_type.ends_with("+json") {
            let value: serde_json::Value = serde_json::from_slice(&bytes)
                .map_err(|e| ApiError::bad_request(format!("The JSON body is malformed: {e}")))?;
            Some(Loose::from_json(value))
        } else if content_type.starts_with("application/x-www-form-urlencoded") {
            Some(parse_form(&bytes)?)
        } else {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "Send parameters as JSON or application/x-www-form-urlencoded",
            ));
        };
        if let Some(body) = body {
            params.merge(body);
        }
        T::deserialize(params).map(Self).map_err(ApiError::invalid)
    }
}

/// Parameters from the query string (400 when they do not fit).
#[derive(Debug)]
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let params = parse_form(parts.uri.query().unwrap_or("").as_bytes())?;
        T::deserialize(params)
            .map(Self)
            .map_err(|e| ApiError::bad_request(format!("Invalid query parameters: {e}")))
    }
}

/// A parameter tree: strings at the leaves, lists and maps above.
#[derive(Clone, Debug, PartialEq)]
pub enum Loose {
    Null,
    Str(String),
    List(Vec<Loose>),
    /// In the order given; keys unique.
    Map(Vec<(String, Loose)>),
}

/// Parses `a=1&b[]=2&c[d]=3` into a tree. 400 for percent-escapes that are not UTF-8.
pub fn parse_form(raw: &[u8]) -> Result<Loose, ApiError> {
    let mut root = Loose::Map(Vec::new());
    for pair in raw.split(|&b| b == b'&').filter(|p| !p.is_empty()) {
        let (k, v) = match pair.iter().position(|&b| b == b'=') {
            Some(i) => (&pair[..i], &pair[i + 1..]),
            None => (pair, &b""[..]),
        };
        let key = decode(k)?;
        let value = decode(v)?;
        let path = key_path(&key);
        if path.first().is_none_or(String::is_empty) {
            continue;
        }
        root.insert(&path, value);
    }
    Ok(root)
}

fn decode(raw: &[u8]) -> Result<String, ApiError> {
    let plus: Vec<u8> = raw
        .iter()
        .map(|&b| if b == b'+' { b' ' } else { b })
        .collect();
    String::from_utf8(crate::extract::percent_decode(&plus))
        .map_err(|_| ApiError::bad_request("Parameters must be valid UTF-8"))
}

/// `a[b][]` → `["a", "b", ""]`.
fn key_path(key: &str) -> Vec<String> {
    let Some(open) = key.find('[') else {
        return vec![key.to_owned()];
    };
    let mut path = vec![key[..open].to_owned()];
    let mut rest = &key[open..];
    while let Some(inner) = rest.strip_prefix('[') {
        let Some(close) = inner.find(']') else { break };
        path.push(inner[..close].to_owned());
        rest = &inner[close + 1..];
    }
    path
}

impl Loose {
    pub fn from_json(v: serde_json::Value) -> Loose {
        use serde_json::Value;
        match v {
            Value::Null => Loose::Null,
            Value::Bool(b) => Loose::Str(b.to_string()),
            Value::Number(n) => Loose::Str(n.to_string()),
            Value::String(s) => Loose::Str(s),
            Value::Array(a) => Loose::List(a.into_iter().map(Loose::from_json).collect()),
            Value::Object(o) => Loose::Map(
                o.into_iter()
                    .map(|(k, v)| (k, Loose::from_json(v)))
                    .collect(),
            ),
        }
    }

    fn insert(&mut self, path: &[String], value: String) {
        let Some((head, rest)) = path.split_first() else {
            *self = Loose::Str(value);
            return;
        };
        if head.is_empty() {
            // `x[]`: append.
            if !matches!(self, Loose::List(_)) {
                *self = match std::mem::replace(self, Loose::Null) {
                    Loose::Str(s) => Loose::List(vec![Loose::Str(s)]),
                    _ => Loose::List(Vec::new()),
                };
            }
            if let Loose::List(items) = self {
                let mut item = Loose::Null;
                item.insert(rest, value);
                items.push(item);
            }
            return;
        }
        if !matches!(self, Loose::Map(_)) {
            *self = Loose::Map(Vec::new());
        }
        let Loose::Map(entries) = self else { return };
        match entries.iter_mut().find(|(k, _)| k == head) {
            Some((_, existing)) if rest.is_empty() => {
                // A repeated plain key: keep every value.
                match existing {
                    Loose::List(items) => items.push(Loose::Str(value)),
                    other => {
                        let first = std::mem::replace(other, Loose::Null);
                        *other = Loose::List(vec![first, Loose::Str(value)]);
                    }
                }
            }
            Some((_, existing)) => existing.insert(rest, value),
            None => {
                let mut item = Loose::Null;
                item.insert(rest, value);
                entries.push((head.clone(), item));
            }
        }
    }

    /// Adds `other`'s top-level entries, replacing those with the same key.
    fn merge(&mut self, other: Loose) {
        match (self, other) {
            (Loose::Map(mine), Loose::Map(theirs)) => {
                for (k, v) in theirs {
                    match mine.iter_mut().find(|(mk, _)| *mk == k) {
                        Some((_, slot)) => *slot = v,
                        None => mine.push((k, v)),
                    }
                }
            }
            (me, other) => *me = other,
        }
    }

    fn kind(&self) -> &'static str {
        match self {
            Loose::Null => "null",
            Loose::Str(_) => "a string",
            Loose::List(_) => "a list",
            Loose::Map(_) => "an object",
        }
    }

    fn expected(&self, what: &str) -> DeError {
        de::Error::custom(format!("expected {what}, got {}", self.kind()))
    }

    /// The string of a leaf (a one-element list counts as its element).
    fn leaf(self) -> Result<String, Loose> {
        match self {
            Loose::Str(s) => Ok(s),
            Loose::List(mut items) if items.len() == 1 => match items.pop() {
                Some(Loose::Str(s)) => Ok(s),
                Some(other) => Err(other),
                None => Err(Loose::Null),
            },
            other => Err(other),
        }
    }
}

impl<'de> IntoDeserializer<'de, DeError> for Loose {
    type Deserializer = Loose;
    fn into_deserializer(self) -> Loose {
        self
    }
}

macro_rules! parse_number {
    ($($method:ident => $visit:ident : $ty:ty),* $(,)?) => {
        $(
            fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
                match self.leaf() {
                    Ok(s) => match s.trim().parse::<$ty>() {
                        Ok(n) => visitor.$visit(n),
                        Err(_) => Err(de::Error::custom(format!("{s:?} is not a valid number"))),
                    },
                    Err(other) => Err(other.expected("a number")),
                }
            }
        )*
    };
}

impl<'de> de::Deserializer<'de> for Loose {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self {
            Loose::Null => visitor.visit_unit(),
            Loose::Str(s) => visitor.visit_string(s),
            Loose::List(items) => visitor.visit_seq(SeqDeserializer::new(items.into_iter())),
            Loose::Map(entries) => visitor.visit_map(MapDeserializer::new(entries.into_iter())),
        }
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self.leaf() {
            Ok(s) => match s.trim().to_ascii_lowercase().as_str() {
                "true" | "1" | "on" | "yes" | "t" => visitor.visit_bool(true),
                "false" | "0" | "off" | "no" | "f" | "" => visitor.visit_bool(false),
                _ => Err(de::Error::custom(format!("{s:?} is not a boolean"))),
            },
            Err(other) => Err(other.expected("a boolean")),
        }
    }

    parse_number! {
        deserialize_i8 => visit_i8: i8,
        deserialize_i16 => visit_i16: i16,
        deserialize_i32 => visit_i32: i32,
        deserialize_i64 => visit_i64: i64,
        deserialize_u8 => visit_u8: u8,
        deserialize_u16 => visit_u16: u16,
        deserialize_u32 => visit_u32: u32,
        deserialize_u64 => visit_u64: u64,
        deserialize_f32 => visit_f32: f32,
        deserialize_f64 => visit_f64: f64,
    }

    fn deserialize_char<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_string(visitor)
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_string(visitor)
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self.leaf() {
            Ok(s) => visitor.visit_string(s),
            Err(other) => Err(other.expected("a string")),
        }
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_string(visitor)
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_string(visitor)
    }

    /// Absent, null and empty are all `None` (`max_id=` means no cursor).
    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self {
            Loose::Null => visitor.visit_none(),
            Loose::Str(s) if s.is_empty() => visitor.visit_none(),
            other => visitor.visit_some(other),
        }
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_unit()
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        visitor.visit_unit()
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        visitor.visit_newtype_struct(self)
    }

    /// A list; a single value is a list of one; a map with index keys (`a[0]`, `a[1]`) is a
    /// list in index order; null is empty.
    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        let items = match self {
            Loose::Null => Vec::new(),
            Loose::List(items) => items,
            Loose::Str(s) => vec![Loose::Str(s)],
            Loose::Map(mut entries) => {
                if entries.iter().any(|(k, _)| k.parse::<u32>().is_err()) {
                    return Err(Loose::Map(entries).expected("a list"));
                }
                entries.sort_by_key(|(k, _)| k.parse::<u32>().unwrap_or(u32::MAX));
                entries.into_iter().map(|(_, v)| v).collect()
            }
        };
        visitor.visit_seq(SeqDeserializer::new(items.into_iter()))
    }

    fn deserialize_tuple<V: Visitor<'de>>(self, _: usize, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self {
            Loose::Null => visitor.visit_map(MapDeserializer::new(
                Vec::<(String, Loose)>::new().into_iter(),
            )),
            Loose::Map(entries) => visitor.visit_map(MapDeserializer::new(entries.into_iter())),
            Loose::List(items) => visitor.visit_map(MapDeserializer::new(
                items
                    .into_iter()
                    .enumerate()
                    .map(|(i, v)| (i.to_string(), v)),
            )),
            other => Err(other.expected("an object")),
        }
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        self.deserialize_map(visitor)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        match self.leaf() {
            Ok(s) => visitor.visit_enum(s.into_deserializer()),
            Err(other) => Err(other.expected("one of the allowed values")),
        }
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_string(visitor)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_unit()
    }
}

/// The IDs of a list parameter (`media_ids[]`, `status_ids[]`); one that is not a positive
/// number is a 422 worded as Mastodon does: "`{noun} {raw} was not found`".
pub fn id_list(raw: &[String], noun: &str) -> Result<Vec<i64>, ApiError> {
    raw.iter()
        .map(|r| {
            r.trim()
                .parse::<i64>()
                .ok()
                .filter(|id| *id > 0)
                .ok_or_else(|| ApiError::invalid(format_args!("{noun} {r} was not found")))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, serde::Deserialize, PartialEq)]
    struct Params {
        status: Option<String>,
        #[serde(default)]
        media_ids: Vec<String>,
        #[serde(default)]
        sensitive: bool,
        limit: Option<u32>,
        max_id: Option<i64>,
        source: Option<Source>,
        #[serde(default)]
        fields_attributes: Vec<Field>,
    }

    #[derive(Debug, serde::Deserialize, PartialEq)]
    struct Source {
        privacy: String,
    }

    #[derive(Debug, serde::Deserialize, PartialEq)]
    struct Field {
        name: String,
    }

    fn form(raw: &str) -> Params {
        Params::deserialize(parse_form(raw.as_bytes()).expect("parses")).expect("fits")
    }

    #[test]
    fn form_shapes() {
        let p = form(
            "status=hi+there%21&media_ids[]=1&media_ids[]=2&sensitive=true&limit=5&max_id=\
             &source[privacy]=unlisted&fields_attributes[1][name]=b&fields_attributes[0][name]=a",
        );
        assert_eq!(p.status.as_deref(), Some("hi there!"));
        assert_eq!(p.media_ids, ["1", "2"]);
        assert!(p.sensitive);
        assert_eq!(p.limit, Some(5));
        assert_eq!(p.max_id, None);
        assert_eq!(p.source.map(|s| s.privacy).as_deref(), Some("unlisted"));
        assert_eq!(
            p.fields_attributes,
            [Field { name: "a".into() }, Field { name: "b".into() }]
        );
        assert_eq!(form("media_ids=7").media_ids, ["7"]);
        assert_eq!(form("media_ids%5B%5D=7").media_ids, ["7"]);
        assert!(Params::deserialize(parse_form(b"limit=x").expect("parses")).is_err());
        assert!(Params::deserialize(parse_form(b"sensitive=maybe").expect("parses")).is_err());
        assert!(parse_form(b"status=%FF").is_err());
    }

    #[test]
    fn json_shapes() {
        let v = serde_json::json!({
            "status": "hi", "media_ids": [1, "2"], "sensitive": "1", "limit": 3, "max_id": null,
            "fields_attributes": {"0": {"name": "a"}}
        });
        let p = Params::deserialize(Loose::from_json(v)).expect("fits");
        assert_eq!(p.media_ids, ["1", "2"]);
        assert!(p.sensitive);
        assert_eq!(p.limit, Some(3));
        assert_eq!(p.max_id, None);
        assert_eq!(p.fields_attributes, [Field { name: "a".into() }]);
    }

    #[test]
    fn body_overrides_query() {
        let mut q = parse_form(b"status=a&limit=2").expect("parses");
        q.merge(parse_form(b"status=b").expect("parses"));
        let p = Params::deserialize(q).expect("fits");
        assert_eq!((p.status.as_deref(), p.limit), (Some("b"), Some(2)));
    }
}
