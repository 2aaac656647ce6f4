//! JavaScript and TypeScript: `import … from 'x'`, `import 'x'`, `export … from 'x'`,
//! `require('x')` and `import('x')` with a literal specifier (a computed one cannot be read
//! and is not counted).

use super::facts::{Facts, Lang, Spec};
use super::lex::{syntax_of, tokens, Cursor, Tok};

/// How far after `import`/`export` the `from 'x'` may come (a long named-import list).
const MAX_CLAUSE: usize = 2_000;

/// Reads a JavaScript or TypeScript file.
pub fn read(text: &str) -> Facts {
    let toks = tokens(text, syntax_of(Lang::Js));
    let mut c = Cursor::new(&toks);
    let mut imports = Vec::new();
    while !c.done() {
        let after_dot = c.prev() == Some(&Tok::Punct('.'));
        let spec = match c.ident(0) {
            Some("require") if !after_dot => call(&c),
            Some("import") if !after_dot && c.is_punct(1, '(') => call(&c),
            Some("import") if !after_dot && !c.is_punct(1, '.') => clause(&c, false),
            Some("export") if !after_dot => clause(&c, true),
            _ => None,
        };
        imports.extend(spec.map(Spec::Path));
        c.i += 1;
    }
    Facts::imports(Lang::Js, imports)
}

/// `require('x')`, `import('x')`.
fn call(c: &Cursor<'_>) -> Option<String> {
    match (c.at(1), c.at(2), c.at(3)) {
        (Some(Tok::Punct('(')), Some(Tok::Str(s)), Some(Tok::Punct(')' | ','))) => Some(s.clone()),
        _ => None,
    }
}

/// `import 'x'`, `import a, {b as c} from 'x'`, `import type T from 'x'`,
/// `export * from 'x'`, `export {a} from 'x'`; `export const …` is not an import.
fn clause(c: &Cursor<'_>, export: bool) -> Option<String> {
    let mut k = 1;
    if let Some(Tok::Str(s)) = c.at(1) {
        return (!export).then(|| s.clone());
    }
    if export && !matches!(c.at(1), Some(Tok::Punct('*' | '{'))) && c.ident(1) != Some("type") {
        return None;
    }
    let mut depth = 0;
    while k < MAX_CLAUSE {
        match c.at(k)? {
            Tok::Punct('{') => depth += 1,
            Tok::Punct('}') => depth -= 1,
            Tok::Ident(w) if w == "from" && depth == 0 => {
                return match c.at(k + 1)? {
                    Tok::Str(s) => Some(s.clone()),
                    _ => None,
                };
            }
            Tok::Punct(';' | '(' | '=') if depth == 0 => return None,
            Tok::Str(_) => return None,
            _ => {}
        }
        k += 1;
    }
    None
}
