//! Python: `import a.b, c as d` and `from .x import (y, z)` at the start of a logical line,
//! anywhere in the file (imports inside functions count too).

use super::facts::{Facts, Lang, Spec};
use super::lex::{syntax_of, tokens, Cursor, Tok};

/// Reads a Python file.
pub fn read(text: &str) -> Facts {
    let toks = tokens(text, syntax_of(Lang::Python));
    let mut c = Cursor::new(&toks);
    let mut imports = Vec::new();
    let mut depth = 0usize;
    // a logical line starts at the file's start, after a line end outside brackets (and
    // not continued by `\`), or after `;`
    let mut line_start = true;
    while let Some(t) = c.at(0) {
        if line_start && depth == 0 {
            line_start = false;
            match c.ident(0) {
                Some("import") => {
                    c.i += 1;
                    plain(&mut c, &mut imports);
                    continue;
                }
                Some("from") => {
                    c.i += 1;
                    from(&mut c, &mut imports);
                    continue;
                }
                _ => {}
            }
        }
        match t {
            Tok::Punct('(' | '[' | '{') => depth += 1,
            Tok::Punct(')' | ']' | '}') => depth = depth.saturating_sub(1),
            Tok::Newline => line_start = depth == 0 && c.prev() != Some(&Tok::Punct('\\')),
            Tok::Punct(';') => line_start = depth == 0,
            _ => {}
        }
        c.i += 1;
    }
    Facts::imports(Lang::Python, imports)
}

/// `a.b as c, d` after `import`.
fn plain(c: &mut Cursor<'_>, out: &mut Vec<Spec>) {
    loop {
        let (module, _) = c.dotted(".");
        if module.is_empty() {
            return;
        }
        out.push(Spec::Python {
            level: 0,
            module,
            names: Vec::new(),
        });
        if c.ident(0) == Some("as") {
            c.i += 2;
        }
        if !c.is_punct(0, ',') {
            return;
        }
        c.i += 1;
    }
}

/// `..a.b import (c as d, e)` after `from`.
fn from(c: &mut Cursor<'_>, out: &mut Vec<Spec>) {
    let mut level = 0;
    while c.is_punct(0, '.') {
        level += 1;
        c.i += 1;
    }
    let module = if c.ident(0) == Some("import") {
        Vec::new()
    } else {
        c.dotted(".").0
    };
    if c.ident(0) != Some("import") || (level == 0 && module.is_empty()) {
        return;
    }
    c.i += 1;
    let parens = c.is_punct(0, '(');
    if parens {
        c.i += 1;
    }
    let mut names = Vec::new();
    // bounded by the file: names until the statement ends
    while let Some(t) = c.at(0) {
        match t {
            Tok::Ident(n) if n == "as" => c.i += 1,
            Tok::Ident(n) if c.prev() != Some(&Tok::Ident("as".into())) => names.push(n.clone()),
            Tok::Punct('*') => names.push("*".into()),
            Tok::Punct(',') | Tok::Ident(_) => {}
            Tok::Newline if parens => {}
            Tok::Punct('\\') => {}
            _ => break,
        }
        c.i += 1;
    }
    if parens && c.is_punct(0, ')') {
        c.i += 1;
    }
    out.push(Spec::Python {
        level,
        module,
        names,
    });
}
