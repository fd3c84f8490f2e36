//! The JSON the protocol speaks: a value type, a parser and a writer. GradBench's messages are
//! plain JSON (numbers, arrays, objects, a few strings), so a small reader is all the tool
//! needs, and the workspace takes on no dependency for it.

use std::fmt::Write as _;

#[derive(Clone, Debug, PartialEq)]
pub enum Json {
    Null,
    Bool(bool),
    Num(f64),
    Str(String),
    Arr(Vec<Json>),
    Obj(Vec<(String, Json)>),
}

/// What an eval reads from its input, with the field named when it is missing or mistyped.
pub type Result<T> = std::result::Result<T, String>;

impl Json {
    pub fn parse(text: &str) -> Result<Json> {
        let mut p = Parser { s: text.as_bytes(), i: 0 };
        let v = p.value()?;
        p.space();
        if p.i != p.s.len() {
            return Err(format!("JSON: trailing characters at byte {}", p.i));
        }
        Ok(v)
    }

    /// The field `key` of an object.
    pub fn get(&self, key: &str) -> Result<&Json> {
        match self {
            Json::Obj(fields) => {
                fields.iter().find(|(k, _)| k == key).map(|(_, v)| v).ok_or_else(|| format!("no field `{key}`"))
            }
            _ => Err(format!("not an object (looking for `{key}`)")),
        }
    }

    pub fn num(&self) -> Result<f64> {
        match self {
            Json::Num(x) => Ok(*x),
            other => Err(format!("expected a number, found {}", other.kind())),
        }
    }

    pub fn usize(&self) -> Result<usize> {
        let x = self.num()?;
        if x >= 0.0 && x.fract() == 0.0 { Ok(x as usize) } else { Err(format!("expected a count, found {x}")) }
    }

    pub fn str(&self) -> Result<&str> {
        match self {
            Json::Str(s) => Ok(s),
            other => Err(format!("expected a string, found {}", other.kind())),
        }
    }

    pub fn arr(&self) -> Result<&[Json]> {
        match self {
            Json::Arr(a) => Ok(a),
            other => Err(format!("expected an array, found {}", other.kind())),
        }
    }

    pub fn floats(&self) -> Result<Vec<f64>> {
        self.arr()?.iter().map(Json::num).collect()
    }

    pub fn counts(&self) -> Result<Vec<usize>> {
        self.arr()?.iter().map(Json::usize).collect()
    }

    /// An array of arrays of numbers, row by row.
    pub fn rows(&self) -> Result<Vec<Vec<f64>>> {
        self.arr()?.iter().map(Json::floats).collect()
    }

    fn kind(&self) -> &'static str {
        match self {
            Json::Null => "null",
            Json::Bool(_) => "a boolean",
            Json::Num(_) => "a number",
            Json::Str(_) => "a string",
            Json::Arr(_) => "an array",
            Json::Obj(_) => "an object",
        }
    }

    /// One line of JSON.
    pub fn write(&self, out: &mut String) {
        match self {
            Json::Null => out.push_str("null"),
            Json::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            // Whole numbers as integers (ids, counts and indices must read back as ints);
            // others as the shortest text that reads back as the same float, with an
            // exponent for very large and small magnitudes. JSON has no NaN or infinity.
            Json::Num(x) if x.fract() == 0.0 && x.abs() < 1e15 => write!(out, "{}", *x as i64).unwrap(),
            Json::Num(x) if x.is_finite() => write!(out, "{x:?}").unwrap(),
            Json::Num(_) => out.push_str("null"),
            Json::Str(s) => write_str(s, out),
            Json::Arr(a) => {
                out.push('[');
                for (i, v) in a.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    v.write(out);
                }
                out.push(']');
            }
            Json::Obj(fields) => {
                out.push('{');
                for (i, (k, v)) in fields.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write_str(k, out);
                    out.push(':');
                    v.write(out);
                }
                out.push('}');
            }
        }
    }

    pub fn to_line(&self) -> String {
        let mut s = String::new();
        self.write(&mut s);
        s
    }

    /// An object from its fields.
    pub fn obj<const N: usize>(fields: [(&str, Json); N]) -> Json {
        Json::Obj(fields.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
    }
}

fn write_str(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if (c as u32) < 0x20 => write!(out, "\\u{:04x}", c as u32).unwrap(),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Converting an eval's output to JSON, after its clock has stopped.
pub trait ToJson {
    fn to_json(&self) -> Json;
}

impl ToJson for f64 {
    fn to_json(&self) -> Json {
        Json::Num(*self)
    }
}

impl ToJson for usize {
    fn to_json(&self) -> Json {
        Json::Num(*self as f64)
    }
}

impl ToJson for Json {
    fn to_json(&self) -> Json {
        self.clone()
    }
}

impl<T: ToJson> ToJson for [T] {
    fn to_json(&self) -> Json {
        Json::Arr(self.iter().map(ToJson::to_json).collect())
    }
}

impl<T: ToJson> ToJson for Vec<T> {
    fn to_json(&self) -> Json {
        self.as_slice().to_json()
    }
}

impl<T: ToJson, const N: usize> ToJson for [T; N] {
    fn to_json(&self) -> Json {
        self.as_slice().to_json()
    }
}

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
}

impl Parser<'_> {
    fn space(&mut self) {
        while self.i < self.s.len() && matches!(self.s[self.i], b' ' | b'\t' | b'\n' | b'\r') {
            self.i += 1;
        }
    }

    fn err<T>(&self, what: &str) -> Result<T> {
        Err(format!("JSON: {what} at byte {}", self.i))
    }

    fn value(&mut self) -> Result<Json> {
        self.space();
        match self.s.get(self.i) {
            Some(b'{') => self.object(),
            Some(b'[') => self.array(),
            Some(b'"') => self.string().map(Json::Str),
            Some(b't') => self.word("true", Json::Bool(true)),
            Some(b'f') => self.word("false", Json::Bool(false)),
            Some(b'n') => self.word("null", Json::Null),
            Some(_) => self.number(),
            None => self.err("unexpected end"),
        }
    }

    fn word(&mut self, w: &str, v: Json) -> Result<Json> {
        if self.s[self.i..].starts_with(w.as_bytes()) {
            self.i += w.len();
            Ok(v)
        } else {
            self.err("unknown word")
        }
    }

    fn number(&mut self) -> Result<Json> {
        let start = self.i;
        while self.i < self.s.len() && matches!(self.s[self.i], b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E') {
            self.i += 1;
        }
        let text = std::str::from_utf8(&self.s[start..self.i]).unwrap_or("");
        match text.parse::<f64>() {
            Ok(x) if !text.is_empty() => Ok(Json::Num(x)),
            _ => Err(format!("JSON: not a number at byte {start}")),
        }
    }

    fn string(&mut self) -> Result<String> {
        self.i += 1; // the opening quote
        let mut out = String::new();
        loop {
            let start = self.i;
            while self.i < self.s.len() && !matches!(self.s[self.i], b'"' | b'\\') {
                self.i += 1;
            }
            out.push_str(std::str::from_utf8(&self.s[start..self.i]).map_err(|_| "JSON: invalid UTF-8".to_string())?);
            match self.s.get(self.i) {
                Some(b'"') => {
                    self.i += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    let c = match self.s.get(self.i + 1) {
                        Some(b'n') => '\n',
                        Some(b't') => '\t',
                        Some(b'r') => '\r',
                        Some(b'b') => '\u{8}',
                        Some(b'f') => '\u{c}',
                        Some(b'u') => {
                            let hex = self.s.get(self.i + 2..self.i + 6).and_then(|h| std::str::from_utf8(h).ok());
                            let code = hex.and_then(|h| u32::from_str_radix(h, 16).ok());
                            self.i += 4;
                            code.and_then(char::from_u32).unwrap_or('\u{fffd}')
                        }
                        Some(&c) => c as char,
                        None => return self.err("unfinished escape"),
                    };
                    out.push(c);
                    self.i += 2;
                }
                _ => return self.err("unfinished string"),
            }
        }
    }

    fn array(&mut self) -> Result<Json> {
        self.i += 1;
        let mut items = Vec::new();
        self.space();
        if self.s.get(self.i) == Some(&b']') {
            self.i += 1;
            return Ok(Json::Arr(items));
        }
        loop {
            items.push(self.value()?);
            self.space();
            match self.s.get(self.i) {
                Some(b',') => self.i += 1,
                Some(b']') => {
                    self.i += 1;
                    return Ok(Json::Arr(items));
                }
                _ => return self.err("expected `,` or `]`"),
            }
        }
    }

    fn object(&mut self) -> Result<Json> {
        self.i += 1;
        let mut fields = Vec::new();
        self.space();
        if self.s.get(self.i) == Some(&b'}') {
            self.i += 1;
            return Ok(Json::Obj(fields));
        }
        loop {
            self.space();
            if self.s.get(self.i) != Some(&b'"') {
                return self.err("expected a key");
            }
            let key = self.string()?;
            self.space();
            if self.s.get(self.i) != Some(&b':') {
                return self.err("expected `:`");
            }
            self.i += 1;
            fields.push((key, self.value()?));
            self.space();
            match self.s.get(self.i) {
                Some(b',') => self.i += 1,
                Some(b'}') => {
                    self.i += 1;
                    return Ok(Json::Obj(fields));
                }
                _ => return self.err("expected `,` or `}`"),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Json;

    #[test]
    fn a_message_reads_back_as_written() {
        let text = r#"{"id":2,"kind":"evaluate","input":{"x":[1.5,-2e-300,3],"s":"a\"b\n"},"ok":[true,false,null]}"#;
        let v = Json::parse(text).unwrap();
        assert_eq!(v.get("id").unwrap().usize().unwrap(), 2);
        assert_eq!(v.get("input").unwrap().get("x").unwrap().floats().unwrap(), vec![1.5, -2e-300, 3.0]);
        assert_eq!(v.get("input").unwrap().get("s").unwrap().str().unwrap(), "a\"b\n");
        assert_eq!(Json::parse(&v.to_line()).unwrap(), v);
    }

    #[test]
    fn malformed_json_is_an_error_not_a_panic() {
        for bad in ["{", "[1,", r#"{"a" 1}"#, "tru", "1 2", r#""abc"#, "-", "[1,]"] {
            assert!(Json::parse(bad).is_err(), "{bad}");
        }
    }
}
