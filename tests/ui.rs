//! Compile-time tests of the macros: every supported construct compiles (and computes the
//! right derivative when run), and every unsupported one is a single error on its own span.
//! `TRYBUILD=overwrite cargo test --test ui` rewrites the expected `.stderr` files; read the
//! diff before committing it, since the message text is part of the user interface.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.pass("tests/ui/pass/*.rs");
    t.compile_fail("tests/ui/fail/*/*.rs");
}
