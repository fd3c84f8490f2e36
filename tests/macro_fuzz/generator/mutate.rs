//! Token-level mutations of valid cases: delete, duplicate, swap, replace or insert a token,
//! or delete or duplicate a whole delimited group. They reach syntax no grammar-based
//! generator writes. Delimiters are only ever moved as whole groups: an unbalanced
//! delimiter is a lexer error that would end the whole crate's compilation.
//!
//! Inside `differentiable_fns!` every mutation reaches the macro; under an attribute, rustc
//! must parse the item first, so some end as rustc's syntax errors, which is fine.

use crate::rng::Rng;

/// One token and the whitespace (and comments) before it.
#[derive(Clone)]
struct Token {
    space: String,
    text: String,
}

/// Tokens a mutation may insert: each valid on its own to the lexer.
const POOL: &[&str] = &[
    ";",
    ",",
    ".",
    "..",
    "..=",
    "=",
    "==",
    "&",
    "&mut",
    "*",
    "-",
    "+",
    "/",
    "%",
    "!",
    "?",
    "'a",
    "_",
    "mut",
    "let",
    "fn",
    "return",
    "as",
    "0",
    "1.0",
    "1e400",
    "x",
    "y",
    "f64",
    "f32",
    "i32",
    "::",
    "#",
    "|",
    "||",
    "in",
    "if",
    "else",
    "for",
    "while",
    "loop",
    "break",
    "continue",
    "match",
    "=>",
    "->",
    "ref",
    "move",
    "<",
    ">",
    "@",
    "$",
    "\"s\"",
    "'c'",
    "r#x",
    "self",
    "Self",
    "super",
    "crate",
    "async",
    "await",
    "dyn",
    "impl",
    "where",
    "unsafe",
    "static",
    "const",
    "pub",
    "struct",
    "type",
    "yield",
    "box",
    "differentiable",
    "no_grad",
    "stop_gradient",
    "f_grad",
    "vec",
    "sigmoid",
    "xs",
    "len",
    "sin",
    "powi",
    "()",
    "[]",
    "{}",
    "(x)",
    "[0]",
    "{ x }",
];

/// `source` with 1 to 3 random mutations; the name of the first one.
pub fn mutate(rng: &mut Rng, source: &str) -> (String, &'static str) {
    let mut tokens = tokenize(source);
    let mut first = "";
    for _ in 0..rng.between(1, 3) {
        let what = mutation(rng, &mut tokens);
        if first.is_empty() || first == "none" {
            first = what;
        }
    }
    let mut out = String::new();
    for t in &tokens {
        out.push_str(&t.space);
        out.push_str(&t.text);
    }
    out.push('\n');
    (out, first)
}

fn is_delimiter(t: &Token) -> bool {
    matches!(t.text.as_str(), "(" | ")" | "[" | "]" | "{" | "}")
}

fn mutation(rng: &mut Rng, tokens: &mut Vec<Token>) -> &'static str {
    let plain: Vec<usize> = (0..tokens.len()).filter(|&i| !is_delimiter(&tokens[i])).collect();
    let opens: Vec<usize> = (0..tokens.len()).filter(|&i| matches!(tokens[i].text.as_str(), "(" | "[" | "{")).collect();
    if plain.is_empty() {
        return "none";
    }
    let spaced = |text: &str| Token { space: " ".into(), text: text.into() };
    match rng.below(7) {
        0 => {
            let i = *rng.pick(&plain);
            tokens.remove(i);
            // The neighbours must not fuse into one token (`r` and `#"..."` would).
            if let Some(next) = tokens.get_mut(i) {
                next.space.insert(0, ' ');
            }
            "delete a token"
        }
        1 => {
            let i = *rng.pick(&plain);
            let copy = spaced(&tokens[i].text);
            tokens.insert(i + 1, copy);
            "duplicate a token"
        }
        2 => {
            let i = *rng.pick(&plain);
            match plain.iter().find(|&&j| j > i) {
                Some(&j) => {
                    let (a, b) = (tokens[i].text.clone(), tokens[j].text.clone());
                    tokens[i] = spaced(&b);
                    tokens[j] = spaced(&a);
                    "swap two tokens"
                }
                None => "none",
            }
        }
        3 => {
            let (i, new) = (*rng.pick(&plain), *rng.pick(POOL));
            tokens[i] = spaced(new);
            "replace a token"
        }
        4 => {
            let i = rng.below(tokens.len() + 1);
            let new = *rng.pick(POOL);
            let new = tokenize(new).into_iter().map(|t| spaced(&t.text));
            tokens.splice(i..i, new);
            "insert a token"
        }
        5 if !opens.is_empty() => {
            let i = *rng.pick(&opens);
            let end = matching(tokens, i);
            // Keep the delimiters: an emptied group, `f()` or `{}`, not a missing one.
            tokens.drain(i + 1..end);
            "empty a group"
        }
        6 if !opens.is_empty() => {
            let i = *rng.pick(&opens);
            let end = matching(tokens, i);
            let group: Vec<Token> = tokens[i..=end].to_vec();
            tokens.splice(
                end + 1..end + 1,
                group.into_iter().map(|mut t| {
                    t.space = " ".into();
                    t
                }),
            );
            "duplicate a group"
        }
        _ => {
            let i = *rng.pick(&plain);
            tokens.remove(i);
            if let Some(next) = tokens.get_mut(i) {
                next.space.insert(0, ' ');
            }
            "delete a token"
        }
    }
}

/// The index of the delimiter closing the one at `open`.
fn matching(tokens: &[Token], open: usize) -> usize {
    let mut depth = 0;
    for (i, t) in tokens.iter().enumerate().skip(open) {
        match t.text.as_str() {
            "(" | "[" | "{" => depth += 1,
            ")" | "]" | "}" => {
                depth -= 1;
                if depth == 0 {
                    return i;
                }
            }
            _ => {}
        }
    }
    panic!("unbalanced delimiters in a generated case")
}

/// Rust's punctuation, longest first, so that `..=` is one token and not `..` and `=`.
const PUNCTUATION: &[&str] = &[
    "..=", "...", "<<=", ">>=", "::", "->", "=>", "==", "!=", "<=", ">=", "&&", "||", "+=", "-=", "*=", "/=", "%=",
    "^=", "&=", "|=", "<<", ">>", "..",
];

/// Splits Rust source into tokens, keeping the whitespace and comments before each.
fn tokenize(source: &str) -> Vec<Token> {
    let chars: Vec<char> = source.chars().collect();
    let mut tokens = Vec::new();
    let mut space = String::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            space.push(c);
            i += 1;
            continue;
        }
        if c == '/' && chars.get(i + 1) == Some(&'/') {
            while i < chars.len() && chars[i] != '\n' {
                space.push(chars[i]);
                i += 1;
            }
            continue;
        }
        let end = token_end(&chars, i);
        tokens.push(Token { space: std::mem::take(&mut space), text: chars[i..end].iter().collect() });
        i = end;
    }
    tokens
}

/// Where the token starting at `i` ends.
fn token_end(chars: &[char], i: usize) -> usize {
    let c = chars[i];
    let at = |j: usize| chars.get(j).copied().unwrap_or('\0');
    let word = |mut j: usize| {
        while at(j).is_alphanumeric() || at(j) == '_' {
            j += 1;
        }
        j
    };
    if c == '"' || (c == 'b' && at(i + 1) == '"') {
        let mut j = if c == 'b' { i + 2 } else { i + 1 };
        while at(j) != '"' {
            j += if at(j) == '\\' { 2 } else { 1 };
        }
        return j + 1;
    }
    if c == 'r' && at(i + 1) == '#' && (at(i + 2).is_alphabetic() || at(i + 2) == '_') {
        return word(i + 2);
    }
    if c.is_alphabetic() || c == '_' {
        return word(i);
    }
    if c == '\'' {
        // A char literal `'c'` (or `'\n'`), else a lifetime or label `'a`.
        if at(i + 1) == '\\' {
            let mut j = i + 2;
            while at(j) != '\'' {
                j += 1;
            }
            return j + 1;
        }
        if at(i + 2) == '\'' {
            return i + 3;
        }
        return word(i + 1);
    }
    if c.is_ascii_digit() {
        let mut j = word(i);
        // A fraction (`1.5`, not the range `1..`), then an exponent's sign and digits.
        if at(j) == '.' && at(j + 1).is_ascii_digit() {
            j = word(j + 1);
        }
        if matches!(at(j - 1), 'e' | 'E')
            && matches!(at(j), '+' | '-')
            && chars[i..j].iter().all(|c| c.is_ascii_digit() || ".eE_".contains(*c))
        {
            j = word(j + 1);
        }
        return j;
    }
    for p in PUNCTUATION {
        if p.chars().enumerate().all(|(k, pc)| at(i + k) == pc) {
            return i + p.len();
        }
    }
    i + 1
}
