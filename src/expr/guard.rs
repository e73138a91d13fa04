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
use super::{filters, js, methods, operators, tree};
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
        // JavaScript's arithmetic: `undefined - 1` is `NaN`, `1 / 0` is `Infinity`, never an
        // error (`steps.build-image.outputs.image` subtracts undefined values).
        Instruction::Sub => call2("__idp_sub"),
        Instruction::Div => call2("__idp_div"),
        Instruction::IntDiv => call2("__idp_intdiv"),
        Instruction::Rem => call2("__idp_rem"),
        Instruction::Pow => call2("__idp_pow"),
        Instruction::Neg => vec![Instruction::CallFunction("__idp_neg", Some(1))],
        // Conditions (`if`, `not`, `and`, `or`) use JavaScript's truthiness, where `[]` and
        // `{}` are true. `and`/`or` keep the deciding value: it is copied, judged and dropped.
        Instruction::JumpIfFalse(t) => vec![truthy(), Instruction::JumpIfFalse(*t)],
        Instruction::Not => vec![truthy(), Instruction::Not],
        Instruction::JumpIfFalseOrPop(t) => vec![
            Instruction::DupTop,
            truthy(),
            Instruction::JumpIfFalse(*t),
            Instruction::DiscardTop,
        ],
        Instruction::JumpIfTrueOrPop(t) => vec![
            Instruction::DupTop,
            truthy(),
            Instruction::Not,
            Instruction::JumpIfFalse(*t),
            Instruction::DiscardTop,
        ],
        // Nunjucks' `null` literal (minijinja knows only `none`).
        Instruction::Lookup("null") => vec![Instruction::LoadConst(Value::from(()))],
        // JavaScript's `.length` of strings and lists (minijinja has none).
        Instruction::GetAttr("length") => vec![Instruction::CallFunction("__idp_length", Some(1))],
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
        // What runs unchanged: each checked against this version of minijinja (pinned in
        // Cargo.toml). Anything else is refused, so an instruction a newer minijinja adds
        // cannot run unguarded (`every_instruction_is_known` lists them all).
        Instruction::Lookup(_)
        | Instruction::GetAttr(_)
        | Instruction::SetAttr(_)
        | Instruction::GetItem
        | Instruction::LoadConst(_)
        | Instruction::BuildKwargs(_)
        | Instruction::MergeKwargs(_)
        | Instruction::UnpackList(_)
        | Instruction::UnpackLists(_)
        | Instruction::Emit
        | Instruction::PushLoop(_)
        | Instruction::PushWith
        | Instruction::Iterate(_)
        | Instruction::PushDidNotIterate
        | Instruction::PopFrame
        | Instruction::PopLoopFrame
        | Instruction::Jump(_)
        | Instruction::PushAutoEscape
        | Instruction::PopAutoEscape
        | Instruction::BeginCapture(_)
        | Instruction::DupTop
        | Instruction::DiscardTop
        | Instruction::FastSuper
        | Instruction::FastRecurse
        | Instruction::Swap
        | Instruction::CallBlock(_)
        | Instruction::LoadBlocks
        | Instruction::Include(_)
        | Instruction::ExportLocals
        | Instruction::Return
        | Instruction::IsUndefined
        | Instruction::GetClosure => vec![instr.clone()],
        #[allow(unreachable_patterns)]
        _ => {
            return Err(Error::new(
                ErrorKind::InvalidOperation,
                "the template uses an operation idp-tui does not know how to run safely",
            ))
        }
    })
}

/// Turns the value on top of the stack into its JavaScript truthiness.
fn truthy<'s>() -> Instruction<'s> {
    Instruction::CallFunction("__idp_truthy", Some(1))
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

/// The instructions with each `-` moved after the attribute lookups that follow it:
/// minijinja reads `-a.b` as `(-a).b`, Nunjucks (and JavaScript) as `-(a.b)`.
fn negate_after_attributes<'s>(source: &Instructions<'s>) -> Vec<Instruction<'s>> {
    let mut out: Vec<Instruction<'s>> = (0..source.len() as u32)
        .map_while(|idx| source.get(idx).cloned())
        .collect();
    let mut i = 0;
    while i < out.len() {
        if matches!(out[i], Instruction::Neg) {
            let run = out[i + 1..]
                .iter()
                .take_while(|x| matches!(x, Instruction::GetAttr(_)))
                .count();
            out[i..=i + run].rotate_left(1);
            i += run;
        }
        i += 1;
    }
    out
}

/// A copy of `source` with every growing operation checked (see the module documentation).
pub fn patch<'s>(source: &Instructions<'s>) -> Result<Instructions<'s>, Error> {
    let mut rewritten = Vec::with_capacity(source.len());
    // map[old index] = new index of its first instruction; one more entry for "the end".
    let mut map = Vec::with_capacity(source.len() + 1);
    let mut next = 0u32;
    let instructions = negate_after_attributes(source);
    for (i, instr) in instructions.iter().enumerate() {
        let mut new = rewrite(instr)?;
        if matches!(instr, Instruction::PushLoop(_)) && unpacks_pairs(&instructions, i) {
            // `{% for k, v in object %}`: Nunjucks walks an object's entries.
            new.insert(0, Instruction::CallFunction("__idp_pairs", Some(1)));
        }
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

/// True when the loop starting at `instructions[at]` (a `PushLoop`) unpacks each item into
/// two names: `Iterate`, then (in the first loop of a filtered `for`) `DupTop`, then
/// `UnpackList(2)`.
fn unpacks_pairs(instructions: &[Instruction<'_>], at: usize) -> bool {
    let mut next = instructions.iter().skip(at + 1);
    if !matches!(next.next(), Some(Instruction::Iterate(_))) {
        return false;
    }
    match next.next() {
        Some(Instruction::DupTop) => matches!(next.next(), Some(Instruction::UnpackList(2))),
        Some(Instruction::UnpackList(2)) => true,
        _ => false,
    }
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
    for (name, op) in [
        ("__idp_sub", "-"),
        ("__idp_div", "/"),
        ("__idp_intdiv", "//"),
        ("__idp_rem", "%"),
        ("__idp_pow", "**"),
    ] {
        env.add_function(name, move |a: Value, b: Value| js::arithmetic(op, &a, &b));
    }
    env.add_function("__idp_neg", |v: Value| js::negate(&v));
    env.add_function("__idp_length", |v: Value| js::length(&v));
    env.add_function("__idp_pairs", |v: Value| super::nunjucks::pairs(&v));
    env.add_function("__idp_truthy", |v: Value| Value::from(js::truthy(&v)));
    env.set_unknown_method_callback(methods::call);
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Every instruction of minijinja 2.24.0, by name. The match has no wildcard: a minijinja
    /// that adds an instruction fails to compile here, and [`rewrite`] refuses it at run time,
    /// until someone checks what it does and lists it.
    fn name(instr: &Instruction<'_>) -> &'static str {
        match instr {
            Instruction::EmitRaw(_) => "EmitRaw",
            Instruction::StoreLocal(_) => "StoreLocal",
            Instruction::Lookup(_) => "Lookup",
            Instruction::GetAttr(_) => "GetAttr",
            Instruction::SetAttr(_) => "SetAttr",
            Instruction::GetItem => "GetItem",
            Instruction::Slice => "Slice",
            Instruction::LoadConst(_) => "LoadConst",
            Instruction::BuildMap(_) => "BuildMap",
            Instruction::BuildKwargs(_) => "BuildKwargs",
            Instruction::MergeKwargs(_) => "MergeKwargs",
            Instruction::BuildList(_) => "BuildList",
            Instruction::UnpackList(_) => "UnpackList",
            Instruction::UnpackLists(_) => "UnpackLists",
            Instruction::Add => "Add",
            Instruction::Sub => "Sub",
            Instruction::Mul => "Mul",
            Instruction::Div => "Div",
            Instruction::IntDiv => "IntDiv",
            Instruction::Rem => "Rem",
            Instruction::Pow => "Pow",
            Instruction::Neg => "Neg",
            Instruction::Eq => "Eq",
            Instruction::Ne => "Ne",
            Instruction::Gt => "Gt",
            Instruction::Gte => "Gte",
            Instruction::Lt => "Lt",
            Instruction::Lte => "Lte",
            Instruction::Not => "Not",
            Instruction::StringConcat => "StringConcat",
            Instruction::In => "In",
            Instruction::CompareAndPreserve(_) => "CompareAndPreserve",
            Instruction::ApplyFilter(_, _, _) => "ApplyFilter",
            Instruction::PerformTest(_, _, _) => "PerformTest",
            Instruction::Emit => "Emit",
            Instruction::PushLoop(_) => "PushLoop",
            Instruction::PushWith => "PushWith",
            Instruction::Iterate(_) => "Iterate",
            Instruction::PushDidNotIterate => "PushDidNotIterate",
            Instruction::PopFrame => "PopFrame",
            Instruction::PopLoopFrame => "PopLoopFrame",
            Instruction::Jump(_) => "Jump",
            Instruction::JumpIfFalse(_) => "JumpIfFalse",
            Instruction::JumpIfFalseOrPop(_) => "JumpIfFalseOrPop",
            Instruction::JumpIfTrueOrPop(_) => "JumpIfTrueOrPop",
            Instruction::PushAutoEscape => "PushAutoEscape",
            Instruction::PopAutoEscape => "PopAutoEscape",
            Instruction::BeginCapture(_) => "BeginCapture",
            Instruction::EndCapture => "EndCapture",
            Instruction::CallFunction(_, _) => "CallFunction",
            Instruction::CallMethod(_, _) => "CallMethod",
            Instruction::CallObject(_) => "CallObject",
            Instruction::DupTop => "DupTop",
            Instruction::DiscardTop => "DiscardTop",
            Instruction::FastSuper => "FastSuper",
            Instruction::FastRecurse => "FastRecurse",
            Instruction::Swap => "Swap",
            Instruction::CallBlock(_) => "CallBlock",
            Instruction::LoadBlocks => "LoadBlocks",
            Instruction::Include(_) => "Include",
            Instruction::ExportLocals => "ExportLocals",
            Instruction::BuildMacro(_, _, _) => "BuildMacro",
            Instruction::Return => "Return",
            Instruction::IsUndefined => "IsUndefined",
            Instruction::Enclose(_) => "Enclose",
            Instruction::GetClosure => "GetClosure",
        }
    }

    /// The instructions of minijinja's compiled form of `source`.
    fn compiled(source: &str) -> Vec<Instruction<'_>> {
        let env = Environment::new();
        let config = config(&env);
        let ast = machinery::parse(source, "t", config.syntax_config.clone(), config.ws_config)
            .expect("parses");
        let mut generator = CodeGenerator::new("t", source);
        generator.compile_stmt(&ast);
        let (instructions, _) = generator.finish();
        (0..instructions.len() as u32)
            .map_while(|i| instructions.get(i).cloned())
            .collect()
    }

    #[test]
    fn every_instruction_is_known_and_none_runs_unchecked() {
        let source = "{% macro m(a, b=1) %}{{ caller() if caller }}{{ a ~ b }}{% endmacro %}\
            {% call m(1) %}x{% endcall %}{% set ns = namespace(n=0) %}{% set ns.n = 1 %}\
            {% for k, v in {'a': [1, 2]}|items if v recursive %}{{ loop.index }}{{ loop(v) }}\
            {% else %}e{% endfor %}{% with x = -1 %}{{ x[0:1] }}{% endwith %}\
            {% filter upper %}f{% endfilter %}{% autoescape true %}a{% endautoescape %}\
            {{ 1 + 2 - 3 * 4 / 5 // 6 % 7 ** 8 }}{{ not (a == b != c < d <= e > f >= g) }}\
            {{ 'x' in y and z or w }}{{ a < b < c }}{{ f(*[1], **{'k': 1}) }}{{ o.m(k=1) }}\
            {{ a is defined }}{{ a.b[c] }}{% set t %}c{% endset %}{% include 'x' ignore missing %}";
        let seen: std::collections::BTreeSet<&str> = compiled(source).iter().map(name).collect();
        for instr in compiled(source) {
            let rewritten = rewrite(&instr);
            assert!(
                rewritten.is_ok()
                    || matches!(
                        instr,
                        Instruction::StoreLocal(_)
                            | Instruction::Enclose(_)
                            | Instruction::BuildMacro(..)
                    ),
                "{} is refused",
                name(&instr)
            );
        }
        // The compiled template covers most of the set; `name` lists all of it.
        assert!(seen.len() >= 40, "{seen:?}");
    }
}
