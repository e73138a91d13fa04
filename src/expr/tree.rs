//! Checks on a template's syntax tree, before minijinja compiles it: what happens while compiling
//! is out of reach of the checks that patch the compiled code ([`super::guard`]).
//!
//! - minijinja computes operators between constants while it compiles (`'a' * 100000000`
//!   becomes a 100 MB constant before anything runs, `[1] * 99999999 ~ ''` prints 99,999,999
//!   items). A `*` that would be computed there must be between numbers — under Backstage's
//!   rules (see [`super::limits::mul`]) any other `*` is an error anyway. Without `*` on strings
//!   and lists, whatever else is computed from constants is no larger than the template's text.
//! - Argument unpacking (`f(*list)`, `f(**map)`) puts every item on the engine's stack before any
//!   function runs, so a few bytes could push millions of values; nunjucks has no such syntax.

use minijinja::machinery::ast::{BinOpKind, CallArg, Expr, Stmt, UnaryOpKind};
use minijinja::value::ValueKind;
use minijinja::{Error, ErrorKind};

/// Refuses a template whose constant parts would be multiplied as anything but numbers.
pub fn check_stmt(stmt: &Stmt<'_>) -> Result<(), Error> {
    let body = |stmts: &[Stmt<'_>]| stmts.iter().try_for_each(check_stmt);
    match stmt {
        Stmt::Template(t) => body(&t.children),
        Stmt::EmitExpr(e) => check_expr(&e.expr),
        Stmt::EmitRaw(_) => Ok(()),
        Stmt::ForLoop(f) => {
            check_expr(&f.target)?;
            check_expr(&f.iter)?;
            f.filter_expr.iter().try_for_each(check_expr)?;
            body(&f.body)?;
            body(&f.else_body)
        }
        Stmt::IfCond(c) => {
            check_expr(&c.expr)?;
            body(&c.true_body)?;
            body(&c.false_body)
        }
        Stmt::WithBlock(w) => {
            for (target, value) in &w.assignments {
                check_expr(target)?;
                check_expr(value)?;
            }
            body(&w.body)
        }
        Stmt::Set(s) => {
            check_expr(&s.target)?;
            check_expr(&s.expr)
        }
        Stmt::SetBlock(s) => {
            check_expr(&s.target)?;
            s.filter.iter().try_for_each(check_expr)?;
            body(&s.body)
        }
        Stmt::AutoEscape(a) => {
            check_expr(&a.enabled)?;
            body(&a.body)
        }
        Stmt::FilterBlock(f) => {
            check_expr(&f.filter)?;
            body(&f.body)
        }
        Stmt::Block(b) => body(&b.body),
        Stmt::Import(i) => {
            check_expr(&i.expr)?;
            check_expr(&i.name)
        }
        Stmt::FromImport(i) => {
            check_expr(&i.expr)?;
            for (name, alias) in &i.names {
                check_expr(name)?;
                alias.iter().try_for_each(check_expr)?;
            }
            Ok(())
        }
        Stmt::Extends(e) => check_expr(&e.name),
        Stmt::Include(i) => check_expr(&i.name),
        Stmt::Macro(m) => {
            m.args.iter().try_for_each(check_expr)?;
            m.defaults.iter().try_for_each(check_expr)?;
            body(&m.body)
        }
        Stmt::CallBlock(c) => {
            check_expr(&c.call.expr)?;
            check_args(&c.call.args)?;
            m_check(&c.macro_decl)
        }
        Stmt::Do(d) => {
            check_expr(&d.call.expr)?;
            check_args(&d.call.args)
        }
        // A statement a newer minijinja adds is refused until it is checked here.
        #[allow(unreachable_patterns)]
        _ => Err(Error::new(
            ErrorKind::SyntaxError,
            "the template uses a statement idp-tui does not support",
        )),
    }
}

fn m_check(m: &minijinja::machinery::ast::Macro<'_>) -> Result<(), Error> {
    m.args.iter().try_for_each(check_expr)?;
    m.defaults.iter().try_for_each(check_expr)?;
    m.body.iter().try_for_each(check_stmt)
}

fn check_args(args: &[CallArg<'_>]) -> Result<(), Error> {
    args.iter().try_for_each(|arg| match arg {
        CallArg::Pos(e) | CallArg::Kwarg(_, e) => check_expr(e),
        CallArg::PosSplat(_) | CallArg::KwargSplat(_) => Err(Error::new(
            ErrorKind::SyntaxError,
            "argument unpacking (`*args`, `**kwargs`) is not supported, as in Backstage",
        )),
    })
}

/// Refuses an expression holding a `*` between constants that are not both numbers.
pub fn check_expr(expr: &Expr<'_>) -> Result<(), Error> {
    let opt = |e: &Option<Expr<'_>>| e.iter().try_for_each(check_expr);
    match expr {
        Expr::Var(_) | Expr::Const(_) => Ok(()),
        Expr::Slice(s) => {
            check_expr(&s.expr)?;
            opt(&s.start)?;
            opt(&s.stop)?;
            opt(&s.step)
        }
        Expr::UnaryOp(u) => check_expr(&u.expr),
        Expr::BinOp(b) => {
            if matches!(b.op, BinOpKind::Mul)
                && is_const(&b.left)
                && is_const(&b.right)
                && !(is_number(&b.left) && is_number(&b.right))
                && !(is_numeric_text(&b.left) && is_numeric_text(&b.right))
            {
                return Err(Error::new(
                    ErrorKind::InvalidOperation,
                    "`*` multiplies numbers only, as in Backstage (between constants here)",
                ));
            }
            check_expr(&b.left)?;
            check_expr(&b.right)
        }
        Expr::Compare(c) => {
            check_expr(&c.expr)?;
            c.ops.iter().try_for_each(|op| check_expr(&op.expr))
        }
        Expr::IfExpr(i) => {
            check_expr(&i.test_expr)?;
            check_expr(&i.true_expr)?;
            opt(&i.false_expr)
        }
        Expr::Filter(f) => {
            opt(&f.expr)?;
            check_args(&f.args)
        }
        Expr::Test(t) => {
            check_expr(&t.expr)?;
            check_args(&t.args)
        }
        Expr::GetAttr(g) => check_expr(&g.expr),
        Expr::GetItem(g) => {
            check_expr(&g.expr)?;
            check_expr(&g.subscript_expr)
        }
        Expr::Call(c) => {
            check_expr(&c.expr)?;
            check_args(&c.args)
        }
        Expr::List(l) => l.items.iter().try_for_each(check_expr),
        Expr::Map(m) => {
            m.keys.iter().try_for_each(check_expr)?;
            m.values.iter().try_for_each(check_expr)
        }
    }
}

/// Whether minijinja could compute this while compiling (what its `as_const` accepts), judged
/// from the tree alone, without computing anything.
fn is_const(expr: &Expr<'_>) -> bool {
    match expr {
        Expr::Const(_) => true,
        Expr::List(l) => l.items.iter().all(|i| matches!(i, Expr::Const(_))),
        Expr::Map(m) => m
            .keys
            .iter()
            .chain(m.values.iter())
            .all(|i| matches!(i, Expr::Const(_))),
        Expr::UnaryOp(u) => is_const(&u.expr),
        Expr::BinOp(b) => is_const(&b.left) && is_const(&b.right),
        Expr::Compare(c) => is_const(&c.expr) && c.ops.iter().all(|op| is_const(&op.expr)),
        _ => false,
    }
}

/// Whether an expression is a text constant holding a number (`"4"`): JavaScript multiplies
/// `"4" * "2"` to 8, and minijinja does not compute `*` between two texts while compiling.
fn is_numeric_text(expr: &Expr<'_>) -> bool {
    match expr {
        Expr::Const(c) => c.value.as_str().is_some_and(|s| {
            let s = s.trim();
            !s.is_empty() && s.parse::<f64>().is_ok() && !s.chars().any(char::is_alphabetic)
        }),
        _ => false,
    }
}

/// Whether a constant expression is a number built from numbers with arithmetic.
fn is_number(expr: &Expr<'_>) -> bool {
    match expr {
        Expr::Const(c) => matches!(c.value.kind(), ValueKind::Number | ValueKind::Bool),
        Expr::UnaryOp(u) => {
            matches!(u.op, UnaryOpKind::Neg | UnaryOpKind::Not) && is_number(&u.expr)
        }
        Expr::BinOp(b) => {
            matches!(
                b.op,
                BinOpKind::Add
                    | BinOpKind::Sub
                    | BinOpKind::Mul
                    | BinOpKind::Div
                    | BinOpKind::FloorDiv
                    | BinOpKind::Rem
                    | BinOpKind::Pow
            ) && is_number(&b.left)
                && is_number(&b.right)
        }
        _ => false,
    }
}
