//! The README's "Reading the generated code" shows what the macro writes for its first
//! example. This test expands that function and compares, item by item, with attributes
//! (doc comments, lints, `#[inline]`) set aside as the README says: the README cannot drift
//! from the macro's output.

use quote::{ToTokens, quote};

const README: &str = include_str!("../../README.md");

/// The Rust block that follows the section heading.
fn readme_block() -> syn::File {
    let section = &README[README.find("## Reading the generated code").expect("the section")..];
    let start = section.find("```rust\n").expect("a rust block") + "```rust\n".len();
    let code = &section[start..start + section[start..].find("```").expect("its end")];
    syn::parse_file(code).expect("the README's expansion parses")
}

fn strip(item: &mut syn::Item) {
    struct Strip;
    impl syn::visit_mut::VisitMut for Strip {
        fn visit_attributes_mut(&mut self, attrs: &mut Vec<syn::Attribute>) {
            attrs.clear();
        }
    }
    syn::visit_mut::VisitMut::visit_item_mut(&mut Strip, item);
}

fn name(item: &syn::Item) -> String {
    match item {
        syn::Item::Fn(f) => format!("fn {}", f.sig.ident),
        syn::Item::Struct(s) => format!("struct {}", s.ident),
        syn::Item::Impl(i) => format!("impl {}", i.self_ty.to_token_stream()),
        other => other.to_token_stream().to_string(),
    }
}

#[test]
fn the_readme_shows_what_the_macro_writes() {
    let source = quote!(
        fn f(x: f64, y: f64, z: f64) -> f64 {
            let q = x + y;
            q * z
        }
    );
    let expanded: syn::File =
        syn::parse2(crate::expand::differentiable(quote!(), source)).expect("the expansion parses");
    let mut actual = expanded.items;
    actual.iter_mut().for_each(strip);
    for mut shown in readme_block().items {
        strip(&mut shown);
        let found = actual.iter().find(|a| name(a) == name(&shown));
        let found =
            found.unwrap_or_else(|| panic!("the README shows `{}`, which the macro does not write", name(&shown)));
        assert_eq!(
            found.to_token_stream().to_string(),
            shown.to_token_stream().to_string(),
            "the README's `{}` differs from what the macro writes",
            name(&shown)
        );
    }
}
