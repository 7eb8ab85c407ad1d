"""`grader <command> --help` says every option's default, as the README's synopsis does (README audit, helper-174:
`serve --threads` (8), `eval -o` (eval_out/eval.json), `synth --max-megapixels` (12) and `--mistakes` (0),
`exercise new --seed` (0), `read --digits-engine` (cnn) and the contest and pairs a sheet or an exercise takes from
its template left a trainer reading the help to guess them)."""
import argparse

from grader.cli import build_parser

#: options without a default of their own whose absence still decides something: the template's variant
TEMPLATE_DEFAULTS = {("form print", "--contest"), ("form print", "--pairs"), ("form layout", "--contest"),
                     ("form layout", "--pairs"), ("exercise new", "--contest"), ("exercise new", "--pairs")}


def _options(parser: argparse.ArgumentParser, name: str = ""):
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub_name, sub in action.choices.items():
                yield from _options(sub, f"{name} {sub_name}".strip())
        elif action.option_strings and not isinstance(action, (argparse._HelpAction, argparse._StoreTrueAction)):
            yield name, action


def test_every_option_with_a_default_says_it_in_its_help():
    silent = []
    for command, action in _options(build_parser()):
        flag = action.option_strings[-1]
        has_default = action.default is not None or (command, flag) in TEMPLATE_DEFAULTS
        if action.required or not has_default:
            continue
        if "default" not in (action.help or ""):
            silent.append(f"grader {command} {flag} (default {action.default!r})")
    assert not silent, "options whose --help does not say their default: " + ", ".join(silent)


def test_the_defaults_said_are_the_defaults_used():
    helps = {(command, action.option_strings[-1]): (action.help, action.default)
             for command, action in _options(build_parser())}
    for key, said in {("serve", "--threads"): "default 8", ("eval", "--output"): "default eval_out/eval.json",
                      ("synth", "--max-megapixels"): "default 12", ("synth", "--mistakes"): "default 0",
                      ("exercise new", "--seed"): "default 0", ("read", "--digits-engine"): "default cnn",
                      ("read-boxes", "--digits-engine"): "default cnn"}.items():
        text, default = helps[key]
        assert said in text, (key, text)
        assert said.split(" ", 1)[1] in (str(default), f"{default:g}" if isinstance(default, float) else ""), key
