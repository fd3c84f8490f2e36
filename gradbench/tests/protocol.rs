//! The protocol end to end: a session of messages in, one answer per message out.

use chainrule_gradbench::json::Json;
use chainrule_gradbench::protocol::serve;

#[test]
fn a_session_answers_each_message_with_its_id() {
    let session = [
        r#"{"id":0,"kind":"start","eval":"hello"}"#,
        r#"{"id":1,"kind":"define","module":"hello"}"#,
        r#"{"id":2,"kind":"evaluate","module":"hello","function":"double","input":3.0}"#,
        r#"{"id":3,"kind":"analysis","of":2,"valid":true}"#,
        r#"{"id":4,"kind":"evaluate","module":"lse","function":"gradient","input":{"x":[1.0,2.0],"min_runs":3,"min_seconds":0}}"#,
        r#"{"id":5,"kind":"define","module":"nope"}"#,
        r#"{"id":6,"kind":"evaluate","module":"hello","function":"cube","input":3.0}"#,
    ];
    let mut out = Vec::new();
    serve(session.join("\n").as_bytes(), &mut out).unwrap();
    let answers: Vec<Json> = String::from_utf8(out).unwrap().lines().map(|l| Json::parse(l).unwrap()).collect();
    assert_eq!(answers.len(), session.len());
    for (i, a) in answers.iter().enumerate() {
        assert_eq!(a.get("id").unwrap().usize().unwrap(), i);
    }
    assert_eq!(answers[0].get("tool").unwrap().str().unwrap(), "chainrule");
    assert_eq!(answers[1].get("success").unwrap(), &Json::Bool(true));
    assert_eq!(answers[2].get("output").unwrap().num().unwrap(), 6.0);
    // min_runs: three timed runs; the gradient of log(e + e²) is the softmax.
    let timings = answers[4].get("timings").unwrap().arr().unwrap();
    assert_eq!(timings.len(), 3);
    let g = answers[4].get("output").unwrap().floats().unwrap();
    let e = (1f64.exp(), 2f64.exp());
    assert!((g[0] - e.0 / (e.0 + e.1)).abs() < 1e-15 && (g[1] - e.1 / (e.0 + e.1)).abs() < 1e-15);
    for failed in [5, 6] {
        assert_eq!(answers[failed].get("success").unwrap(), &Json::Bool(false));
        assert!(answers[failed].get("error").unwrap().str().is_ok());
    }
}
