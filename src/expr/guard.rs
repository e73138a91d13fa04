//! Compiles a template author's text with minijinja and rewrites its bytecode so that every
//! operation that can grow a value goes through [`super::limits`] before it runs.
//!
//! minijinja offers no hook on its operators, so the compiled instructions are copied with:
//! `*`, `+`, `~`, `in` and the comparisons turned into calls of checked functions (the same
//! stack effect: two values in, one out); each builtin filter and test renamed to its guarded
//! twin; a size check after
//! every instruction that builds a value (a literal list or map, a slice, a filter, a function,
//! method or macro call, a captured block); and raw text emitted through the formatter, so it is counted
//! too. Jump targets are moved to where their instructions landed. The result runs on
//! minijinja's own VM with a fuel budget ([`limits::FUEL`]).
//!
//! The engine has no loader and no named templates, so `{% include %}`, `{% import %}` and
//! `{% extends %}` can only fail ("template not found"): no unpatched template can be reached.

use super::limits::{self, MAX_TEXT};
use super::{filters, operators, tree};
use minijinja::machinery::{
    self, CodeGenerator, Instruction, Instructions, TemplateConfig, WhitespaceConfig,
};
use minijinja::value::{Rest, Value};
use minijinja::{AutoEscape, Environment, Error, ErrorKind, State};
use std::collections::BTreeMap;
use std::sync::Arc;

/// How templates are compiled: the environment's syntax, trailing newlines kept, no escaping.
pub fn config(env: &Environment<'_>) -> TemplateConfig {
    TemplateConfig {
        syntax_config: env.syntax().clone(),
        ws_config: WhitespaceConfig {
            keep_trailing_newline: true,
            lstrip_blocks: false,
            trim_blocks: false,
        },
        default_auto_escape: Arc::new(|_| AutoEscape::None),
    }
}

/// The prefix of the names the patched bytecode calls; a template may not define them.
const RESERVED: &str = "__idp";

fn reserved(name: &str) -> Result<(), Error> {
    if name.starts_with(RESERVED) {
        Err(Error::new(
            ErrorKind::InvalidOperation,
            format!("names starting with `{RESERVED}` are reserved (`{name}`)"),
        ))
    } else {
        Ok(())
    }
}

/// What one instruction becomes (jump targets still old).
fn rewrite<'s>(instr: &Instruction<'s>) -> Result<Vec<Instruction<'s>>, Error> {
    let check = Instruction::CallFunction("__idp_check", Some(1));
    let call2 = |name| vec![Instruction::CallFunction(name, Some(2))];
    Ok(match instr {
        Instruction::Mul => call2("__idp_mul"),
        Instruction::Add => call2("__idp_add"),
        Instruction::StringConcat => call2("__idp_concat"),
        Instruction::In => call2("__idp_in"),
        Instruction::Eq => call2("__idp_eq"),
        Instruction::Ne => call2("__idp_ne"),
        Instruction::Lt => call2("__idp_lt"),
        Instruction::Lte => call2("__idp_lte"),
        Instruction::Gt => call2("__idp_gt"),
        Instruction::Gte => call2("__idp_gte"),
        // `a < b in c`: the operator is not exported by name, only by its debug form.
        Instruction::CompareAndPreserve(op) if format!("{op:?}").contains("In") => {
            return Err(Error::new(
                ErrorKind::SyntaxError,
                "chained comparisons with `in` are not supported",
            ))
        }
        // `a < b < c` keeps `b` on the stack for the next comparison, so no function can stand
        // in for it: count the work of both operands (each copied, counted and dropped), then
        // compare as minijinja does.
        Instruction::CompareAndPreserve(_) => {
            let cost = || {
                [
                    Instruction::DupTop,
                    Instruction::CallFunction("__idp_cost", Some(1)),
                    Instruction::DiscardTop,
                ]
            };
            let mut seq = vec![Instruction::Swap];
            seq.extend(cost());
            seq.push(Instruction::Swap);
            seq.extend(cost());
            seq.push(instr.clone());
            seq
        }
        Instruction::EmitRaw(text) => {
            vec![
                Instruction::LoadConst(Value::from(*text)),
                Instruction::Emit,
            ]
        }
        Instruction::ApplyFilter(name, args, local) => {
            let name = filters::GUARDED_FILTERS
                .iter()
                .find(|(builtin, _)| builtin == name)
                .map_or(*name, |(_, guarded)| *guarded);
            vec![Instruction::ApplyFilter(name, *args, *local), check]
        }
        Instruction::PerformTest(name, args, local) => {
            let name = filters::GUARDED_TESTS
                .iter()
                .find(|(builtin, _)| builtin == name)
                .map_or(*name, |(_, guarded)| *guarded);
            vec![Instruction::PerformTest(name, *args, *local)]
        }
        // Same stack effect: the value and three bounds in, the slice out.
        Instruction::Slice => vec![Instruction::CallFunction("__idp_slice", Some(4)), check],
        Instruction::CallFunction(..)
        | Instruction::CallMethod(..)
        | Instruction::CallObject(..)
        | Instruction::EndCapture
        | Instruction::BuildList(..)
        | Instruction::BuildMap(..) => vec![instr.clone(), check],
        Instruction::StoreLocal(name) | Instruction::Enclose(name) => {
            reserved(name)?;
            vec![instr.clone()]
        }
        Instruction::BuildMacro(name, ..) => {
            reserved(name)?;
            vec![instr.clone()]
        }
        other => vec![other.clone()],
    })
}

/// Moves a jump target from the old numbering to the new.
fn relocate(instr: &mut Instruction<'_>, map: &[u32]) {
    let target = match instr {
        Instruction::Jump(t)
        | Instruction::JumpIfFalse(t)
        | Instruction::JumpIfFalseOrPop(t)
        | Instruction::JumpIfTrueOrPop(t)
        | Instruction::Iterate(t)
        | Instruction::BuildMacro(_, t, _) => t,
        _ => return,
    };
    *target = map.get(*target as usize).copied().unwrap_or(*target);
}

/// A copy of `source` with every growing operation checked (see the module documentation).
pub fn patch<'s>(source: &Instructions<'s>) -> Result<Instructions<'s>, Error> {
    let count = source.len() as u32;
    let mut rewritten = Vec::with_capacity(source.len());
    // map[old index] = new index of its first instruction; one more entry for "the end".
    let mut map = Vec::with_capacity(source.len() + 1);
    let mut next = 0u32;
    for idx in 0..count {
        let Some(instr) = source.get(idx) else { break };
        let new = rewrite(instr)?;
        map.push(next);
        next += new.len() as u32;
        rewritten.push(new);
    }
    map.push(next);
    let mut out = Instructions::new(source.name(), source.source());
    for (idx, new) in rewritten.into_iter().enumerate() {
        let idx = idx as u32;
        let (span, line) = (source.get_span(idx), source.get_line(idx));
        for mut instr in new {
            relocate(&mut instr, &map);
            match (span, line) {
                (Some(span), _) => out.add_with_span(instr, span),
                (None, Some(line)) => out.add_with_line(instr, line as u16),
                (None, None) => out.add(instr),
            };
        }
    }
    Ok(out)
}

/// Renders a template's text: compiled, patched, run with the fuel and work budgets, and its
/// output refused past [`MAX_TEXT`].
pub fn render(
    env: &Environment<'_>,
    config: &TemplateConfig,
    source: &str,
    context: Value,
) -> Result<String, Error> {
    // What `CompiledTemplate::new` does, with the tree checked before minijinja's code
    // generator computes constants (see [`tree`]).
    let name = "<string>";
    let ast = machinery::parse(source, name, config.syntax_config.clone(), config.ws_config)?;
    tree::check_stmt(&ast)?;
    let mut generator = CodeGenerator::new(name, source);
    generator.compile_stmt(&ast);
    let (instructions, blocks) = generator.finish();
    let instructions = patch(&instructions)?;
    let blocks = blocks
        .iter()
        .map(|(name, block)| Ok((*name, patch(block)?)))
        .collect::<Result<BTreeMap<_, _>, Error>>()?;
    let _scope = limits::Scope::enter();
    let mut text = String::new();
    let mut out = machinery::make_string_output(&mut text);
    let (_, state) = machinery::Vm::new(env).eval(
        &instructions,
        context,
        &blocks,
        &mut out,
        AutoEscape::None,
    )?;
    limits::record(state.fuel_levels().map_or(0, |(used, _)| used));
    if text.len() > MAX_TEXT {
        return Err(limits::too_expensive(format_args!(
            "the rendered text would be longer than {} MB",
            MAX_TEXT / (1024 * 1024)
        )));
    }
    Ok(text)
}

/// Evaluates one expression (no delimiters), patched and budgeted like a template.
pub fn eval(env: &Environment<'_>, source: &str, context: Value) -> Result<Value, Error> {
    let ast = machinery::parse_expr(source)?;
    tree::check_expr(&ast)?;
    let mut generator = CodeGenerator::new("<expression>", source);
    generator.compile_expr(&ast);
    let (instructions, _) = generator.finish();
    let instructions = patch(&instructions)?;
    let _scope = limits::Scope::enter();
    let mut text = String::new();
    let mut out = machinery::make_string_output(&mut text);
    let no_blocks = BTreeMap::new();
    let (value, state) = machinery::Vm::new(env).eval(
        &instructions,
        context,
        &no_blocks,
        &mut out,
        AutoEscape::None,
    )?;
    limits::record(state.fuel_levels().map_or(0, |(used, _)| used));
    Ok(value.unwrap_or_default())
}

/// Registers the operators, the size check and the guarded filters on an environment.
pub fn register(env: &mut minijinja::Environment<'static>) {
    env.add_function("__idp_mul", |a: Value, b: Value| operators::mul(&a, &b));
    env.add_function("__idp_add", |a: Value, b: Value| operators::add(&a, &b));
    env.add_function("__idp_concat", |a: Value, b: Value| {
        operators::concat(&a, &b)
    });
    env.add_function("__idp_in", |a: Value, b: Value| operators::contains(&a, &b));
    env.add_function(
        "__idp_slice",
        |v: Value, start: Value, stop: Value, step: Value| {
            operators::slice(&v, &start, &stop, &step)
        },
    );
    env.add_function("__idp_check", |v: Value| limits::check(&v).map(|()| v));
    env.add_function("__idp_cost", |v: Value| {
        operators::charge_compare(std::slice::from_ref(&v)).map(|()| Value::UNDEFINED)
    });
    for (name, op) in [
        ("__idp_eq", "=="),
        ("__idp_ne", "!="),
        ("__idp_lt", "<"),
        ("__idp_lte", "<="),
        ("__idp_gt", ">"),
        ("__idp_gte", ">="),
    ] {
        env.add_function(name, move |a: Value, b: Value| {
            operators::compare(op, &a, &b)
        });
    }
    for &(name, guarded) in filters::GUARDED_TESTS {
        env.add_test(guarded, move |state: &State, args: Rest<Value>| {
            operators::charge_compare(&args)?;
            state.perform_test(name, &args)
        });
    }
    for &(name, guarded) in filters::GUARDED_FILTERS {
        env.add_filter(guarded, move |state: &State, args: Rest<Value>| {
            filters::guarded_filter(state, name, &args)
        });
    }
    // `debug()` prints the whole context at each call; Backstage has no such function.
    env.remove_global("debug");
}
