//! `chainrule-gradbench`: speaks GradBench's protocol on stdin and stdout.

fn main() {
    let stdin = std::io::stdin().lock();
    let stdout = std::io::stdout().lock();
    if let Err(e) = chainrule_gradbench::protocol::serve(stdin, stdout) {
        eprintln!("chainrule-gradbench: {e}");
        std::process::exit(1);
    }
}
