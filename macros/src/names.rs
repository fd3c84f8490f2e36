//! Fresh identifiers for generated code. User variable names survive into the generated
//! code (so `cargo expand` reads like the source); every other name is checked against
//! every identifier the user wrote, so no generated binding can capture or shadow theirs.

use proc_macro2::{Span, TokenStream, TokenTree};
use std::collections::{HashMap, HashSet};
use syn::Ident;

pub struct Names {
    /// Every identifier in the user's function.
    written: HashSet<String>,
    /// Names already bound by generated code.
    taken: HashSet<String>,
    /// Per base, the number after the last numbered name handed out: every smaller one is
    /// taken (names are never released), so the search for the next resumes there.
    next: HashMap<String, usize>,
}

impl Names {
    pub fn new(tokens: TokenStream) -> Self {
        let mut written = HashSet::new();
        collect(tokens, &mut written);
        Names { written, taken: HashSet::new(), next: HashMap::new() }
    }

    /// The binding for a user variable: its own name the first time, then `name_2`, ...
    /// (shadowing and reassignment give new SSA values that all need distinct names).
    pub fn user(&mut self, ident: &Ident) -> Ident {
        let base = ident.to_string();
        let base = base.strip_prefix("r#").unwrap_or(&base).to_owned();
        if self.taken.insert(base.clone()) {
            return ident.clone();
        }
        self.numbered(&base, ident.span())
    }

    /// Whether the user's function has this identifier.
    pub fn written(&self, name: &str) -> bool {
        self.written.contains(name)
    }

    /// A generated name close to `base` that clashes with nothing (and is no keyword: the
    /// derivative of `o` would be `do`).
    pub fn fresh(&mut self, base: &str, span: Span) -> Ident {
        if !self.written.contains(base) && !is_keyword(base) && self.taken.insert(base.to_owned()) {
            return Ident::new(base, span);
        }
        self.numbered(base, span)
    }

    fn numbered(&mut self, base: &str, span: Span) -> Ident {
        // `x_` + `2` must not become `x__2`: a double underscore trips `non_snake_case`.
        let sep = if base.ends_with('_') { "" } else { "_" };
        let mut i = self.next.get(base).copied().unwrap_or(2);
        loop {
            let name = format!("{base}{sep}{i}");
            i += 1;
            if !self.written.contains(&name) && self.taken.insert(name.clone()) {
                self.next.insert(base.to_owned(), i);
                return Ident::new(&name, span);
            }
        }
    }
}

/// Rust's strict and reserved keywords (edition 2024), which no binding may be named.
fn is_keyword(name: &str) -> bool {
    matches!(
        name,
        "as" | "async"
            | "await"
            | "break"
            | "const"
            | "continue"
            | "crate"
            | "dyn"
            | "else"
            | "enum"
            | "extern"
            | "false"
            | "fn"
            | "for"
            | "gen"
            | "if"
            | "impl"
            | "in"
            | "let"
            | "loop"
            | "match"
            | "mod"
            | "move"
            | "mut"
            | "pub"
            | "ref"
            | "return"
            | "self"
            | "Self"
            | "static"
            | "struct"
            | "super"
            | "trait"
            | "true"
            | "type"
            | "unsafe"
            | "use"
            | "where"
            | "while"
            | "abstract"
            | "become"
            | "box"
            | "do"
            | "final"
            | "macro"
            | "override"
            | "priv"
            | "try"
            | "typeof"
            | "unsized"
            | "virtual"
            | "yield"
    )
}

fn collect(tokens: TokenStream, out: &mut HashSet<String>) {
    for tt in tokens {
        match tt {
            TokenTree::Ident(i) => {
                out.insert(i.to_string());
            }
            TokenTree::Group(g) => collect(g.stream(), out),
            _ => {}
        }
    }
}
