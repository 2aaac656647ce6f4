//! Java, Kotlin and Scala: `package` and `import` clauses, with static, wildcard, aliased
//! and (Scala) grouped imports.

use super::facts::{Facts, Lang, Spec};
use super::lex::{syntax_of, tokens, Cursor, Tok};

/// Reads a Java, Kotlin or Scala file.
pub fn read(text: &str, lang: Lang) -> Facts {
    let toks = tokens(text, syntax_of(lang));
    let mut c = Cursor::new(&toks);
    let mut facts = Facts {
        lang,
        imports: Vec::new(),
        declares: Vec::new(),
    };
    let mut package: Vec<String> = Vec::new();
    while !c.done() {
        let start = c.at_statement_start();
        match c.ident(0) {
            Some("package") if start && c.ident(1) != Some("object") => {
                c.i += 1;
                // Scala chains clauses: `package a.b` then `package c` is `a.b.c`
                package.extend(c.dotted(".").0);
            }
            Some("import") if start => {
                c.i += 1;
                import(&mut c, lang, &mut facts.imports);
            }
            _ => c.i += 1,
        }
    }
    if !package.is_empty() {
        facts.declares.push(package.join("."));
    }
    facts
}

fn import(c: &mut Cursor<'_>, lang: Lang, out: &mut Vec<Spec>) {
    let is_static = c.ident(0) == Some("static");
    if is_static {
        c.i += 1;
    }
    loop {
        let (path, star) = c.dotted(".");
        if path.is_empty() {
            return;
        }
        // Kotlin and Scala import functions and members as freely as classes
        let member = is_static || lang != Lang::Java;
        if lang == Lang::Scala && c.is_punct(0, '{') {
            group(c, path, out);
        } else {
            let last = path.last().map(String::as_str);
            let wildcard = star || (lang == Lang::Scala && matches!(last, Some("_" | "given")));
            let mut path = path;
            if wildcard && !star {
                path.pop();
            }
            out.push(Spec::Dotted {
                path,
                wildcard,
                member,
            });
        }
        if c.ident(0) == Some("as") {
            c.i += 2;
        }
        if lang == Lang::Scala && c.is_punct(0, ',') {
            c.i += 1;
            continue;
        }
        return;
    }
}

/// Scala's `a.b.{C, D => E, _}`: one import per name (`_` and `given` import the package).
fn group(c: &mut Cursor<'_>, base: Vec<String>, out: &mut Vec<Spec>) {
    c.i += 1;
    let mut expect_name = true;
    while let Some(t) = c.at(0) {
        c.i += 1;
        match t {
            Tok::Punct('}') => return,
            Tok::Punct(',') => expect_name = true,
            Tok::Ident(name) | Tok::Str(name) if expect_name => {
                expect_name = false;
                let wildcard = matches!(name.as_str(), "_" | "given");
                let mut path = base.clone();
                if !wildcard {
                    path.push(name.clone());
                }
                out.push(Spec::Dotted {
                    path,
                    wildcard,
                    member: true,
                });
            }
            Tok::Punct('*') if expect_name => {
                expect_name = false;
                out.push(Spec::Dotted {
                    path: base.clone(),
                    wildcard: true,
                    member: true,
                });
            }
            _ => {}
        }
    }
}
