//! Go (`import "x"`, grouped and aliased), Rust (`use` trees, `mod x;` with `#[path]`,
//! `extern crate`) and C# (`using`, `using static`, aliases; `namespace` declarations).

use super::facts::{Facts, Lang, Spec};
use super::lex::{syntax_of, tokens, Cursor, Tok};

/// Reads a Go file.
pub fn read_go(text: &str) -> Facts {
    let toks = tokens(text, syntax_of(Lang::Go));
    let mut c = Cursor::new(&toks);
    let mut imports = Vec::new();
    while !c.done() {
        if c.ident(0) == Some("import") && c.at_statement_start() {
            c.i += 1;
            let grouped = c.is_punct(0, '(');
            // one spec, or a group up to `)`: `"x"`, `alias "x"`, `_ "x"`, `. "x"`
            while let Some(t) = c.at(0) {
                match t {
                    Tok::Str(s) => {
                        imports.push(Spec::Path(s.clone()));
                        if !grouped {
                            break;
                        }
                    }
                    Tok::Punct(')') if grouped => break,
                    Tok::Ident(_) | Tok::Punct('.' | '(') | Tok::Newline => {}
                    Tok::Punct(';') if grouped => {}
                    _ => break,
                }
                c.i += 1;
            }
        }
        c.i += 1;
    }
    Facts::imports(Lang::Go, imports)
}

/// Reads a Rust file.
pub fn read_rust(text: &str) -> Facts {
    let toks = tokens(text, syntax_of(Lang::Rust));
    let mut c = Cursor::new(&toks);
    let mut imports = Vec::new();
    let mut path_attr: Option<String> = None;
    while let Some(t) = c.at(0) {
        let after_path_sep = c.prev() == Some(&Tok::Punct(':'));
        match t {
            Tok::Ident(k) if k == "use" && !after_path_sep => {
                c.i += 1;
                let mut leaves = Vec::new();
                use_tree(&mut c, Vec::new(), &mut leaves, 0);
                imports.extend(leaves.into_iter().map(Spec::Use));
                continue;
            }
            Tok::Ident(k) if k == "extern" && c.ident(1) == Some("crate") => {
                if let Some(name) = c.ident(2) {
                    imports.push(Spec::Use(vec![name.to_string()]));
                }
            }
            Tok::Ident(k) if k == "path" && c.is_punct(1, '=') => {
                if let Some(Tok::Str(p)) = c.at(2) {
                    path_attr = Some(p.clone());
                }
            }
            Tok::Ident(k) if k == "mod" && c.is_punct(2, ';') => {
                if let Some(name) = c.ident(1) {
                    imports.push(Spec::Mod {
                        name: name.trim_start_matches("r#").to_string(),
                        path: path_attr.take(),
                    });
                }
            }
            Tok::Punct(';' | '{' | '}') => path_attr = None,
            _ => {}
        }
        c.i += 1;
    }
    Facts::imports(Lang::Rust, imports)
}

/// Expands a use tree from here into its leaf paths (`a::{b, c::*}` → `a::b`, `a::c`).
fn use_tree(c: &mut Cursor<'_>, prefix: Vec<String>, out: &mut Vec<Vec<String>>, depth: usize) {
    let mut path = prefix;
    if c.eat_sep("::") && path.is_empty() {
        // `use ::x` names an external crate
        path.push("::".into());
    }
    loop {
        if c.is_punct(0, '{') && depth < 16 {
            c.i += 1;
            loop {
                c.skip_newlines();
                if c.is_punct(0, '}') {
                    c.i += 1;
                    return;
                }
                if c.done() {
                    return;
                }
                use_tree(c, path.clone(), out, depth + 1);
                c.skip_newlines();
                if c.is_punct(0, ',') {
                    c.i += 1;
                } else if !c.is_punct(0, '}') {
                    return;
                }
            }
        }
        if c.is_punct(0, '*') {
            c.i += 1;
            out.push(path);
            return;
        }
        match c.ident(0) {
            Some("self") if !path.is_empty() => c.i += 1,
            Some(name) => {
                path.push(name.to_string());
                c.i += 1;
            }
            None => return,
        }
        if c.eat_sep("::") {
            continue;
        }
        if c.ident(0) == Some("as") {
            c.i += 2;
        }
        out.push(path);
        return;
    }
}

/// Reads a C# file.
pub fn read_csharp(text: &str) -> Facts {
    let toks = tokens(text, syntax_of(Lang::CSharp));
    let mut c = Cursor::new(&toks);
    let mut facts = Facts {
        lang: Lang::CSharp,
        imports: Vec::new(),
        declares: Vec::new(),
    };
    // enclosing block namespaces: (name, brace depth inside it)
    let mut open: Vec<(String, usize)> = Vec::new();
    let global = Tok::Ident("global".into());
    let mut depth = 0usize;
    while let Some(t) = c.at(0) {
        match t {
            Tok::Punct('{') => depth += 1,
            Tok::Punct('}') => {
                depth = depth.saturating_sub(1);
                if open.last().is_some_and(|(_, d)| *d > depth) {
                    open.pop();
                }
            }
            Tok::Ident(k)
                if k == "using" && (c.at_statement_start() || c.prev() == Some(&global)) =>
            {
                c.i += 1;
                facts.imports.extend(using(&mut c));
                continue;
            }
            Tok::Ident(k) if k == "namespace" => {
                c.i += 1;
                let (name, _) = c.dotted(".");
                let mut full: Vec<String> = open.iter().map(|(n, _)| n.clone()).collect();
                full.push(name.join("."));
                let full = full.join(".");
                if c.is_punct(0, '{') {
                    open.push((name.join("."), depth + 1));
                } else {
                    open.push((name.join("."), 0));
                }
                facts.declares.push(full);
                continue;
            }
            _ => {}
        }
        c.i += 1;
    }
    facts
}

/// `[static] A.B;` or `X = A.B;` after `using` (a `using (…)` or `using var x = …`
/// statement is not an import).
fn using(c: &mut Cursor<'_>) -> Option<Spec> {
    let member = c.ident(0) == Some("static");
    if member {
        c.i += 1;
    }
    if c.ident(0).is_some() && c.is_punct(1, '=') {
        c.i += 2;
    }
    let (path, _) = c.dotted(".");
    if path.is_empty() || !(c.is_punct(0, ';') || c.is_punct(0, '<')) {
        return None;
    }
    Some(Spec::Dotted {
        path,
        wildcard: !member,
        member,
    })
}
