//! What the macro can learn from the source file around it. A proc-macro attribute sees
//! only its item, so:
//!
//! - `#[differentiable]` writes items beside the function: in a module a protocol struct and
//!   free companions, in an `impl` block associated functions (a block cannot hold a
//!   struct). [`in_impl_block`] finds the block around the attribute.
//! - A call of a plain function (no `#[differentiable]`, no `#[derivative]`) with a
//!   differentiated argument calls a protocol that does not exist, and rustc says "cannot
//!   find module or crate `helper`". [`plain_function`] tells when the file defines such a
//!   function under that name and nothing else could be meant.
//!
//! The file is read through `Span::local_file`, `line` and `column` (stable since Rust
//! 1.88) and scanned once per compilation. Where it cannot be read (a generated or remapped
//! path), or the answer is not certain, the macro writes what it wrote before, and rustc's
//! error stands: these only ever turn an error into a clearer one.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::rc::Rc;

/// A `{ .. }` region of a source file, from its `{` to its `}` as (line, column), one-based
/// like `Span::line` and `Span::column`.
#[derive(Clone, Copy)]
struct Region {
    open: (usize, usize),
    close: (usize, usize),
    kind: RegionKind,
    /// Of an `impl` block: its header, `impl<F: Float> Mlp<F>`, as char indices of the source.
    header: Option<(usize, usize)>,
}

#[derive(Clone, Copy, PartialEq)]
enum RegionKind {
    /// The body of an `impl` or `trait`: its functions are methods.
    Impl,
    /// `mod name { .. }`: its functions are free functions.
    Module,
    /// Any other block: a function body, an expression's block.
    Block,
}

/// The kind of the innermost region around `at` (`None`: the file's top level).
fn innermost(regions: &[Region], at: (usize, usize)) -> Option<RegionKind> {
    innermost_region(regions, at).map(|r| r.kind)
}

fn innermost_region(regions: &[Region], at: (usize, usize)) -> Option<&Region> {
    let around = regions.iter().filter(|r| r.open < at && at < r.close);
    around.max_by_key(|r| r.open)
}

/// What one file defines, as far as [`plain_function`] needs to know.
#[derive(Default)]
struct Names {
    /// Functions with no attribute of ours.
    plain: HashSet<String>,
    /// Functions under `#[differentiable]`, `#[derivative]` or in `differentiable_fns!`.
    ours: HashSet<String>,
    /// Every other item name, and every name a `use` mentions.
    other: HashSet<String>,
    /// A glob import from anywhere but chainrule, which could bring in any name.
    foreign_glob: bool,
    /// Modules written out in this file (`mod m { .. }`), whose functions it thus holds.
    inline_mods: HashSet<String>,
    /// Structs with `Differentiable` in an attribute (`#[derive(Differentiable, Clone)]`).
    derived: HashSet<String>,
}

struct File {
    source: Vec<char>,
    regions: Vec<Region>,
    names: Names,
}

thread_local! {
    // One scan per file and compilation: a crate's functions share their files.
    static SCANNED: RefCell<HashMap<PathBuf, Rc<File>>> = RefCell::new(HashMap::new());
}

/// The macro's call site and the scan of its file, when there is a file to read.
fn here() -> Option<((usize, usize), Rc<File>)> {
    if !proc_macro::is_available() {
        return None;
    }
    let site = proc_macro::Span::call_site();
    // Only a Rust source: a doctest's span points into the Markdown it came from.
    let path = site.local_file().filter(|p| p.extension().is_some_and(|e| e == "rs"))?;
    let file = SCANNED.with(|scanned| {
        let mut scanned = scanned.borrow_mut();
        let file = scanned.entry(path).or_insert_with_key(|path| {
            let source = std::fs::read_to_string(path).unwrap_or_default();
            let regions = scan(&source);
            let names = names(&source, &regions);
            Rc::new(File { source: source.chars().collect(), regions, names })
        });
        file.clone()
    });
    Some(((site.line(), site.column()), file))
}

/// Whether the macro's call site lies directly inside an `impl` or `trait` block.
pub fn in_impl_block() -> bool {
    let Some((at, file)) = here() else { return false };
    // The innermost region around the call site: a function nested in a function body
    // inside an impl is in a block, where items are fine.
    innermost(&file.regions, at) == Some(RegionKind::Impl)
}

/// Whether the macro's call site lies directly inside a `trait` definition or a trait's
/// `impl` (`impl Energy for Model`), where the companions, which are not members of the
/// trait, cannot stand.
pub fn in_trait_block() -> bool {
    let Some((at, file)) = here() else { return false };
    match innermost_region(&file.regions, at) {
        Some(r) if r.kind == RegionKind::Impl => match r.header {
            None => true,
            Some(_) => impl_block().is_some_and(|b| b.trait_.is_some()),
        },
        _ => false,
    }
}

/// The `impl` block directly around the macro's call site, read from its header with an
/// empty body (`impl<F: Float> Mlp<F> {}`): a method's float type may be the block's.
pub fn impl_block() -> Option<syn::ItemImpl> {
    let (at, file) = here()?;
    let (start, end) = innermost_region(&file.regions, at)?.header?;
    let header: String = file.source[start..end].iter().collect();
    syn::parse_str(&format!("{header} {{}}")).ok()
}

/// Whether a call of `path` can only mean a plain function of this file: its module path
/// (if any) names modules written out in this file, a function of its name is defined, no
/// function of ours has the name, no other item or import mentions it, and no glob import
/// could bring in another.
pub fn plain_function(path: &syn::Path) -> bool {
    let Some((_, file)) = here() else { return false };
    let (n, segments) = (&file.names, &path.segments);
    let Some(name) = segments.last().map(|s| s.ident.to_string()) else { return false };
    let local = segments.iter().rev().skip(1).all(|s| n.inline_mods.contains(&s.ident.to_string()));
    path.leading_colon.is_none()
        && local
        && n.plain.contains(&name)
        && !n.ours.contains(&name)
        && !n.other.contains(&name)
        && !n.foreign_glob
}

/// Whether this file defines a struct `name` that derives `Differentiable`.
pub fn differentiable_struct(name: &str) -> bool {
    here().is_some_and(|(_, file)| file.names.derived.contains(name))
}

/// The names a file defines and imports (see [`Names`]). Only free functions count (at the
/// top level or in a module): a method or a function local to another's body is not what a
/// plain call elsewhere names.
fn names(source: &str, regions: &[Region]) -> Names {
    let mut lexer = Lexer { chars: source.chars().collect(), i: 0, line: 1, column: 1 };
    let mut out = Names::default();
    let mut previous: Option<Token> = None;
    // Whether an attribute of ours came since the last item boundary, and how many
    // parentheses and brackets are open.
    let mut attributed = false;
    let mut deriving = false;
    let mut bracketed = 0usize;
    // Inside `differentiable_fns! { .. }`: the nesting depth it opened at.
    let (mut depth, mut compact): (usize, Option<usize>) = (0, None);
    // Inside a `use` declaration: whether it starts at chainrule.
    let mut using: Option<bool> = None;
    while let Some((token, at)) = lexer.next() {
        match (&previous, &token) {
            (_, Token::Word(w)) if using.is_some() => {
                out.other.insert(w.clone());
            }
            (_, Token::Punct('*')) if using == Some(false) => out.foreign_glob = true,
            (_, Token::Punct(';')) if using.is_some() => using = None,
            (Some(Token::Word(k)), Token::Word(_)) if k == "fn" && compact.is_none() && !free(regions, at) => {}
            (Some(Token::Word(k)), Token::Word(name)) if k == "fn" => {
                let ours = attributed || compact.is_some();
                let set = if ours { &mut out.ours } else { &mut out.plain };
                set.insert(name.clone());
            }
            (Some(Token::Word(k)), Token::Word(name)) if is_item_keyword(k) => {
                out.other.insert(name.clone());
                if k == "struct" && deriving {
                    out.derived.insert(name.clone());
                }
                if k == "mod" && lexer.peek_significant() == Some('{') {
                    out.inline_mods.insert(name.clone());
                }
            }
            (_, Token::Word(w)) if w == "use" => using = Some(false),
            (_, Token::Word(w)) if w == "differentiable" || w == "derivative" => attributed = true,
            (_, Token::Word(w)) if w == "Differentiable" && bracketed > 0 => deriving = true,
            (Some(Token::Word(w)), Token::Punct('!')) if w == "differentiable_fns" => compact = Some(depth),
            (_, Token::Punct('{' | '(' | '[')) => depth += 1,
            (_, Token::Punct('}' | ')' | ']')) => {
                depth = depth.saturating_sub(1);
                if compact == Some(depth) {
                    compact = None;
                }
            }
            _ => {}
        }
        if let (Some(false), Token::Word(w)) = (using, &token) {
            // `use chainrule::..`: the prelude's glob brings in the runtime's functions only.
            if matches!(&previous, Some(Token::Word(u)) if u == "use") && w == "chainrule" {
                using = Some(true);
            }
        }
        // An item ends at `;`, `{` or `}` outside brackets and parentheses: braces inside
        // an attribute's arguments (`#[derivative(x = if x > 0.0 { 1.0 } else { s })]`) do
        // not end the attribute's claim on the function after it.
        match token {
            Token::Punct('(' | '[') => bracketed += 1,
            Token::Punct(')' | ']') => bracketed = bracketed.saturating_sub(1),
            Token::Punct(';' | '{' | '}') if bracketed == 0 => {
                attributed = false;
                deriving = false;
            }
            _ => {}
        }
        previous = Some(token);
    }
    out
}

/// Whether a function defined at `at` is a free function.
fn free(regions: &[Region], at: (usize, usize)) -> bool {
    matches!(innermost(regions, at), None | Some(RegionKind::Module))
}

fn is_item_keyword(k: &str) -> bool {
    matches!(k, "struct" | "enum" | "union" | "mod" | "const" | "static" | "type" | "trait" | "crate")
}

/// The brace regions of a Rust source, with comments, strings and character literals
/// skipped. `impl` opens an item (rather than `impl Trait` in a type) when it follows the
/// end of an item or attribute, or `unsafe`/`default`; `trait` always does. The item's body
/// is the next `{` outside parentheses and brackets opened after the keyword.
fn scan(source: &str) -> Vec<Region> {
    let mut lexer = Lexer { chars: source.chars().collect(), i: 0, line: 1, column: 1 };
    let (mut regions, mut open) = (Vec::new(), Vec::new());
    let mut previous: Option<Token> = None;
    let mut nesting = 0usize;
    // The kind of the next `{` at this nesting, once an `impl`, `trait` or `mod` opened it.
    let mut pending: Option<(usize, RegionKind)> = None;
    // Where the `impl` keyword of the pending block starts.
    let mut header: Option<usize> = None;
    while let Some((token, at)) = lexer.next() {
        match &token {
            Token::Word(w) if w == "trait" => {
                pending = Some((nesting, RegionKind::Impl));
                header = None;
            }
            Token::Word(w) if w == "impl" && item_follows(previous.as_ref()) => {
                pending = Some((nesting, RegionKind::Impl));
                header = Some(lexer.i - w.len());
            }
            Token::Word(w) if w == "mod" => pending = Some((nesting, RegionKind::Module)),
            Token::Punct('(' | '[') => nesting += 1,
            Token::Punct(')' | ']') => nesting = nesting.saturating_sub(1),
            Token::Punct(';') if pending.is_some_and(|(n, _)| n == nesting) => pending = None,
            Token::Punct('{') => {
                let kind = match pending {
                    Some((n, kind)) if n == nesting => kind,
                    _ => RegionKind::Block,
                };
                if kind != RegionKind::Block {
                    pending = None;
                }
                let header = if kind == RegionKind::Impl { header.take().map(|h| (h, lexer.i - 1)) } else { None };
                open.push((at, kind, nesting, header));
                nesting = 0;
            }
            Token::Punct('}') => {
                if let Some((start, kind, outer, header)) = open.pop() {
                    regions.push(Region { open: start, close: at, kind, header });
                    nesting = outer;
                }
            }
            _ => {}
        }
        previous = Some(token);
    }
    regions
}

fn item_follows(previous: Option<&Token>) -> bool {
    match previous {
        None => true,
        Some(Token::Punct(c)) => matches!(c, '}' | ';' | ']' | '{'),
        Some(Token::Word(w)) => w == "unsafe" || w == "default",
    }
}

enum Token {
    Word(String),
    Punct(char),
}

/// Just enough of Rust's lexical grammar to find braces: words, single punctuation, and
/// what must be skipped whole (comments, string and character literals, lifetimes).
struct Lexer {
    chars: Vec<char>,
    i: usize,
    line: usize,
    column: usize,
}

impl Lexer {
    fn peek(&self, k: usize) -> Option<char> {
        self.chars.get(self.i + k).copied()
    }

    /// The next character that is not whitespace (comments between `mod m` and `{` are
    /// rare enough to miss).
    fn peek_significant(&self) -> Option<char> {
        self.chars[self.i..].iter().copied().find(|c| !c.is_whitespace())
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek(0)?;
        self.i += 1;
        if c == '\n' {
            (self.line, self.column) = (self.line + 1, 1);
        } else {
            self.column += 1;
        }
        Some(c)
    }

    fn next(&mut self) -> Option<(Token, (usize, usize))> {
        loop {
            let at = (self.line, self.column);
            let c = self.peek(0)?;
            match (c, self.peek(1)) {
                _ if c.is_whitespace() => {
                    self.bump();
                }
                ('/', Some('/')) => self.skip_line(),
                ('/', Some('*')) => self.skip_block_comment(),
                ('"', _) => self.skip_string(0, false),
                ('\'', _) => self.skip_quote(),
                _ if c.is_alphanumeric() || c == '_' => {
                    let mut word = String::new();
                    while let Some(c) = self.peek(0).filter(|c| c.is_alphanumeric() || *c == '_') {
                        word.push(c);
                        self.bump();
                    }
                    // `r"..."`, `br#"..."#`, `cr"..."`: no escapes, as many `#`s to close.
                    if let (true, Some(hashes)) = (matches!(word.as_str(), "r" | "br" | "cr"), self.raw_string_hashes())
                    {
                        self.skip_string(hashes, true);
                        continue;
                    }
                    return Some((Token::Word(word), at));
                }
                _ => {
                    self.bump();
                    return Some((Token::Punct(c), at));
                }
            }
        }
    }

    fn skip_line(&mut self) {
        while self.peek(0).is_some_and(|c| c != '\n') {
            self.bump();
        }
    }

    fn skip_block_comment(&mut self) {
        let mut depth = 0usize;
        while let Some(c) = self.bump() {
            match (c, self.peek(0)) {
                ('/', Some('*')) => {
                    self.bump();
                    depth += 1;
                }
                ('*', Some('/')) => {
                    self.bump();
                    depth -= 1;
                    if depth == 0 {
                        return;
                    }
                }
                _ => {}
            }
        }
    }

    /// After a raw string's prefix: the number of `#`s, if `#..#"` follows.
    fn raw_string_hashes(&self) -> Option<usize> {
        let hashes = (0..).take_while(|&k| self.peek(k) == Some('#')).count();
        (self.peek(hashes) == Some('"')).then_some(hashes)
    }

    /// From the opening `#`s and `"` to the closing `"` and as many `#`s.
    fn skip_string(&mut self, hashes: usize, raw: bool) {
        for _ in 0..hashes {
            self.bump();
        }
        self.bump();
        while let Some(c) = self.bump() {
            match c {
                '\\' if !raw => {
                    self.bump();
                }
                '"' if (0..hashes).all(|k| self.peek(k) == Some('#')) => {
                    for _ in 0..hashes {
                        self.bump();
                    }
                    return;
                }
                _ => {}
            }
        }
    }

    /// A character literal (`'a'`, `'\n'`, `'\u{1F600}'`) or a lifetime (`'a`).
    fn skip_quote(&mut self) {
        self.bump();
        match (self.peek(0), self.peek(1)) {
            (Some('\\'), _) => {
                while let Some(c) = self.bump() {
                    if c == '\'' {
                        break;
                    }
                }
            }
            (Some(_), Some('\'')) => {
                self.bump();
                self.bump();
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{names, scan};

    #[test]
    fn tells_plain_functions_from_ours_and_from_imports() {
        let source = "use chainrule::prelude::*;\nuse other::{imported, x as renamed};\n\
                      fn plain(x: f64) -> f64 { x }\n#[differentiable]\nfn ours(x: f64) -> f64 { x }\n\
                      #[derivative(x = 1.0)] pub fn rule(x: f64) -> f64 { x }\n\
                      differentiable_fns! { fn compact(x) < x > }\nfn imported() {}\nstruct plain2;\n";
        let n = names(source, &scan(source));
        assert!(n.plain.contains("plain") && n.plain.contains("imported"));
        assert!(n.ours.contains("ours") && n.ours.contains("rule") && n.ours.contains("compact"));
        assert!(n.other.contains("imported") && n.other.contains("renamed") && n.other.contains("plain2"));
        assert!(!n.foreign_glob);
        assert!(names("use super::*;\n", &[]).foreign_glob);
        let braces_in_attribute = "#[derivative(x = if x > 0.0 { 1.0 } else { s })]\nfn leaky(x: f64) -> f64 { x }\n";
        let n = names(braces_in_attribute, &scan(braces_in_attribute));
        assert!(n.ours.contains("leaky") && !n.plain.contains("leaky"));
        // A method or a local function is not what a plain call names.
        let methods = "struct M;\nimpl M {\n    fn sigmoid(&self) {}\n}\nfn outer() {\n    fn relu() {}\n}\n";
        let n = names(methods, &scan(methods));
        assert!(!n.plain.contains("sigmoid") && !n.plain.contains("relu") && n.plain.contains("outer"));
        let modules = "mod util {\n    pub fn helper() {}\n}\nmod elsewhere;\n";
        let n = names(modules, &scan(modules));
        assert!(n.plain.contains("helper"), "a module's functions are free functions");
        assert!(n.inline_mods.contains("util") && !n.inline_mods.contains("elsewhere"));
    }

    #[test]
    fn finds_structs_that_derive_differentiable() {
        let source = "#[derive(Clone, Differentiable)]\npub struct Model { w: Vec<f64> }\n\
                      #[derive(Clone)]\nstruct Data { x: Vec<f64> }\n\
                      /// Differentiable in a comment is no derive.\nstruct Other;\n";
        let n = names(source, &scan(source));
        assert!(n.derived.contains("Model"));
        assert!(!n.derived.contains("Data") && !n.derived.contains("Other"));
    }

    fn impl_lines(source: &str) -> Vec<(usize, usize)> {
        scan(source).iter().filter(|r| r.kind == super::RegionKind::Impl).map(|r| (r.open.0, r.close.0)).collect()
    }

    #[test]
    fn finds_impl_and_trait_bodies_not_impl_trait_types() {
        let source = "impl<T: Fn() -> u8> A<T> {\n    fn f() {}\n}\n\
                      fn g() -> impl Fn() {\n    || ()\n}\n\
                      #[cfg(x)] unsafe impl B for C {\n}\n\
                      pub trait D: E { }\n\
                      mod m { impl F { fn h(x: impl G) {} } }\n";
        assert_eq!(impl_lines(source), vec![(1, 3), (7, 8), (9, 9), (10, 10)]);
    }

    #[test]
    fn skips_braces_in_comments_strings_and_characters() {
        let source = "// impl X {\n/* impl Y { /* } */ */\nconst S: &str = \"impl Z {\";\n\
                      const R: &str = r#\"{\"#; const C: char = '{'; fn l<'a>(x: &'a u8) {}\n\
                      impl W {}\n";
        assert_eq!(impl_lines(source), vec![(5, 5)]);
    }
}
