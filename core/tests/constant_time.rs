//! A lint as a test: no secret-dependent comparison with `==` anywhere in the core. MACs are
//! compared with `subtle` (`ct_eq`), shared secrets through SHA-256 digests with `ct_eq`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let p = entry.unwrap().path();
        if p.is_dir() {
            sources(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

/// Names that hold a MAC, a tag, a digest of a secret or a secret's bytes in the core.
const SUSPICIOUS: [&str; 9] =
    ["sign", "mac", "tag", "digest", "digests", "expected", "secret", "expose()", "got"];

fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '(' || c == ')' || c == '.' || c == '*' || c == '&'
}

fn suspicious(word: &str) -> bool {
    let last = word.rsplit('.').next().unwrap_or(word).trim_start_matches(['*', '&']);
    SUSPICIOUS.contains(&last)
}

/// Lines of `text` that compare a suspicious name with `==` or `!=`.
fn offences(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let code = line.split("//").next().unwrap_or("");
        for op in ["==", "!="] {
            for (at, _) in code.match_indices(op) {
                let left = code[..at].trim_end();
                let right = code[at + 2..].trim_start();
                let lw = left.rsplit(|c: char| !is_word(c)).next().unwrap_or("");
                let rw = right.split(|c: char| !is_word(c)).next().unwrap_or("");
                if suspicious(lw) || suspicious(rw) {
                    out.push(format!("{}: {}", n + 1, line.trim()));
                }
            }
        }
    }
    out
}

#[test]
fn no_plain_equality_on_mac_or_secret_bytes() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&root, &mut files);
    assert!(files.len() >= 8);
    let mut all = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        all.extend(offences(&text).into_iter().map(|o| format!("{}:{o}", f.display())));
    }
    assert!(all.is_empty(), "secret-dependent `==` found; use subtle::ConstantTimeEq:\n{}", all.join("\n"));
}

#[test]
fn the_scan_flags_plain_comparisons_and_spares_constant_time_ones() {
    let bad = "if tag == expected {}\nlet ok = self.secret.expose() != other;\nreturn *mac == want;";
    assert_eq!(offences(bad).len(), 3, "{:?}", offences(bad));
    let good = "let ok = tag.ct_eq(expected);\nif n == 0 {}\n// a comment: tag == x";
    assert!(offences(good).is_empty(), "{:?}", offences(good));
}
