"""Every answer type validates its input with a clear message."""

from __future__ import annotations

import pytest

from assessments.answers import AnswerInvalid, clean_answer
from assessments.models import Indicator, QuestionnaireVersion


def indicator(version: QuestionnaireVersion, code: str) -> Indicator:
    return Indicator.objects.get(version=version, code=code)


@pytest.mark.parametrize(
    ("code", "raw", "stored"),
    [
        ("S1.1", ["25"], 25),
        ("S1.1", [" 1 200 "], 1200),
        ("S1.2", ["1,5"], "1.5"),
        ("S1.2", ["0.25"], "0.25"),
        ("S1.3", ["40"], "40"),
        ("S1.3", ["12.5%"], "12.5"),
        ("S1.4", ["yes"], True),
        ("S1.4", ["no"], False),
        ("S1.5", ["2015-03-01"], "2015-03-01"),
        ("S2.1", ["b"], "b"),
        ("S2.2", ["a", "c"], ["a", "c"]),
        ("S2.3", ["  Events  "], "Events"),
        ("S1.1", [""], None),
        ("S2.2", [], None),
    ],
)
def test_valid_input_is_stored_in_its_type(
    bronze: QuestionnaireVersion, code: str, raw: list[str], stored: object
) -> None:
    assert clean_answer(indicator(bronze, code), raw) == stored


@pytest.mark.parametrize(
    ("code", "raw", "message"),
    [
        ("S1.1", ["twelve"], "Enter a number, such as 12 or 0.5."),
        ("S1.1", ["2.5"], "Enter a whole number, without decimals."),
        ("S1.1", ["-1"], "Enter at least 0 members."),
        ("S1.1", ["10001"], "Enter at most 10000 members."),
        ("S1.1", ["NaN"], "Enter a number, such as 12 or 0.5."),
        ("S1.1", ["1e1000000"], "Enter a number below one trillion."),
        ("S1.2", ["0.123456"], "Enter a number with at most 4 decimals."),
        ("S1.2", ["101"], "Enter at most 100 FTE."),
        ("S1.3", ["120"], "Enter a percentage between 0 and 100."),
        ("S1.3", ["-5"], "Enter a percentage between 0 and 100."),
        ("S1.4", ["maybe"], "Answer yes or no."),
        ("S1.5", ["01/03/2015"], "Enter a date as YYYY-MM-DD."),
        ("S1.5", ["1850-01-01"], "Enter a date between 1900 and 2100."),
        ("S2.1", ["z"], "Choose one of the options offered."),
        ("S2.2", ["a", "z"], "Choose among the options offered."),
        ("S2.2", ["a", "a"], "Each option can be chosen once."),
        ("S2.3", ["x" * 5001], "Keep the answer under 5000 characters (it has 5001)."),
    ],
)
def test_invalid_input_is_refused_with_a_message(
    bronze: QuestionnaireVersion, code: str, raw: list[str], message: str
) -> None:
    with pytest.raises(AnswerInvalid) as refused:
        clean_answer(indicator(bronze, code), raw)

    assert str(refused.value) == message


def test_file_indicator_has_no_typed_value(bronze: QuestionnaireVersion) -> None:
    assert clean_answer(indicator(bronze, "S2.4"), ["anything"]) is None
