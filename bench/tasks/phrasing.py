"""Question templates, one set per split: the test split's phrasings are never seen in tuning.

Dev templates read like the 45 tasks the project was tuned on ("How many …
have …?"). Test templates were written separately, in other shapes (requests,
"Among …", "Give …", month names instead of date ranges, a statement of the
columns in another form), so the test split measures how the runtime does
on phrasings nobody tuned for. A task picks from its own split's list with
its own `Random`. `tests/bench/test_split_leak.py` fails if a test template
turns up in the example library or the prompt texts.

Placeholders: {entities} {input} {col} {value} {num} {label} {x} {k} {lo} {hi}
{month} {words} {key} and, per family, a few more.
"""

from __future__ import annotations

DEV: dict[str, list[str]] = {
    "count": ["How many {entities} have {col} {value}?",
              "Count the {entities} whose {col} is {value}.",
              "In {input}, how many of the {entities} are listed with {value} as {col}?",
              "I need the number of {entities} where {col} equals {value}."],
    "threshold": ["How many {entities} have a {num} greater than {x}?",
                  "Count the {entities} with {num} above {x}.",
                  "Find how many {entities} have {num} larger than {x}.",
                  "Of all the {entities}, how many show a {num} over {x}?"],
    "threshold_where": ["How many {entities} with {col} {value} have a {num} greater than {x}?",
                        "Count the {entities} that have {col} {value} and a {num} above {x}."],
    "sum": ["What is the total {num} of the {entities} with {col} {value}?",
            "Sum the {num} over the {entities} whose {col} is {value}.",
            "Add up the {num} of all {entities} that have {value} as their {col}."],
    "average": ["What is the average {num} of the {entities} with {col} {value}? "
                "Round to 2 decimals.",
                "Compute the mean {num} for {entities} whose {col} is {value}, rounded to 2 "
                "decimals."],
    "max": ["What is the highest {num} among the {entities} with {col} {value}?",
            "Find the largest {num} of any of the {entities} where {col} is {value}."],
    "min": ["What is the lowest {num} among the {entities} with {col} {value}?",
            "Find the smallest {num} of any of the {entities} where {col} is {value}."],
    "argmax": ["Which {label} has the highest {num}?",
               "Name the {label} with the biggest {num}."],
    "argmin": ["Which {label} has the lowest {num}?",
               "Name the {label} with the smallest {num}."],
    "distinct": ["How many distinct {col} values appear in {input}?",
                 "How many different {col} values are there among the {entities}?",
                 "Count the unique values of {col} in {input}."],
    "groupby_count": ["Which {col} has the most {entities}?",
                      "Which {col} occurs most often among the {entities}?"],
    "groupby_sum": ["Which {col} has the largest total {num}?",
                    "Summing {num} per {col}, which {col} comes out on top?"],
    "topk": ["List the {label} of the {k} {entities} with the highest {num}, highest first.",
             "Give the {label} of the top {k} {entities} by {num}, largest first."],
    "percentage": ["What percentage of the {entities} have {col} {value}? Round to 1 decimal.",
                   "What share of the {entities}, in percent to 1 decimal, have {value} as {col}?"],
    "daterange": ["How many {entities} have a {date} between {lo} and {hi} inclusive?",
                  "Count the {entities} whose {date} falls from {lo} to {hi}, both days included."],
    "daterange_sum": ["What is the total {num} of the {entities} with a {date} between {lo} "
                      "and {hi} inclusive?",
                      "Add up the {num} of {entities} with {date} from {lo} through {hi}."],
    "noheader": [" The {input} lines are '{cols}'.",
                 " Each line of {input} holds '{cols}'."],
    "needle": ["What is the {field} of {key}?",
               "Find the {field} for {key}.",
               "Look up {key}: what is its {field}?"],
    "multi_needle": ["What are the {field}s of {keys}? Answer in that order, separated by "
                     "commas.",
                     "Give the {field}s for {keys}, in that order, comma-separated."],
    "multi_needle_sum": ["What is the sum of the {field}s of {keys}?",
                         "Add together the {field}s of {keys}. What do you get?"],
    "words_count": ["How many lines contain all of the words {words}?",
                    "Count the lines that mention every one of these words: {words}."],
    "words_find": ["Which {unit} contains all of the words {words}? Give its {ref}.",
                   "One {unit} mentions all of {words}. What is its {ref}?"],
    "transform_upper": ["What is the {field} of {key} in upper case?",
                        "Give the {field} of {key}, written in capital letters."],
    "transform_digits": ["What is the {field} of {key} with every non-digit removed?",
                         "Take the {field} of {key} and keep only its digits. What is left?"],
    "transform_initials": ["What are the initials of the {field} of {key}?",
                           "Give the initials of the {field} of {key}."],
    "transform_domain": ["What is the domain of the email address of {key}?",
                         "Which domain is the email address of {key} at?"],
    "sentiment_one": ["Is review {key} positive or negative?",
                      "Does review {key} sound positive or negative?"],
    "sentiment_count": ["How many of the reviews are negative?",
                        "Count the negative reviews."],
    "topic": ["Which section is about {topic}? Give its title.",
              "Give the title of the section that deals with {topic}."],
    "nested_field": ["What is the {path} of {key}?",
                     "Look up {key} and give its {path}."],
    "nested_count": ["How many {items} does {key} have?",
                     "Count the {items} of {key}."],
    "twohop": ["What is the {take} of the {b_entity} of {key}?",
               "For {key}, find the {b_entity} and give that {b_entity}'s {take}."],
    "threehop": ["What is the {take} of the {c_entity} of the {b_entity} of {key}?",
                 "Starting from {key}, follow its {b_entity} to the {c_entity}: what is the "
                 "{take}?"],
    "noinput_arith": ["What is {expr}?",
                      "Compute {expr}."],
    "noinput_divisible": ["How many integers from {lo} to {hi} are divisible by {a} but not by "
                          "{b}?",
                          "Count the whole numbers between {lo} and {hi} inclusive that {a} "
                          "divides and {b} does not."],
    "noinput_digits": ["What is the sum of the digits of {base} to the power {exp}?",
                       "Add up the digits of {base}**{exp}."],
    "noinput_days": ["How many days are there from {d1} to {d2}?",
                     "Count the days between {d1} and {d2}."],
    "noinput_fib": ["What is Fibonacci number {n}, if Fibonacci number 1 and 2 are both 1?",
                    "Give the {n}th Fibonacci number, counting 1, 1, 2, 3, 5, ..."],
    "noinput_vowels": ["How many vowels are in the word {word}?",
                       "Count the vowels in {word}."],
}

TEST: dict[str, list[str]] = {
    "count": ["What is the number of {entities} with a {col} of {value}?",
              "Tell me how many of the {entities} list {value} as their {col}."],
    "threshold": ["Give the count of {entities} whose {num} exceeds {x}.",
                  "For how many {entities} is the {num} strictly more than {x}?"],
    "threshold_where": ["Among the {entities} whose {col} is {value}, how many have a {num} "
                        "of more than {x}?"],
    "sum": ["If you add together the {num} of every entry whose {col} is {value}, what do you "
            "get?",
            "Taken together, what do the {entities} with {col} equal to {value} come to in "
            "{num}?"],
    "average": ["Across the {entities} whose {col} is {value}, what is the mean {num}, to two "
                "decimal places?"],
    "max": ["Looking only at {entities} whose {col} is {value}, report the peak {num} as a "
            "number."],
    "min": ["Looking only at {entities} whose {col} is {value}, report the bottom value of "
            "{num} as a number."],
    "argmax": ["Give the {label} of the entry in {input} with the greatest {num}."],
    "argmin": ["Give the {label} of the entry in {input} with the smallest {num}."],
    "distinct": ["Count the unique values of the {col} field in {input}.",
                 "In {input}, how many separate {col} values occur?"],
    "groupby_count": ["Grouping the {entities} by {col}, which group is the largest?"],
    "groupby_sum": ["Adding up {num} per {col}, which {col} comes out on top?"],
    "topk": ["Give the {label}s of the top {k} {entities} ranked by {num}, in descending "
             "order, comma-separated."],
    "percentage": ["What share of all {entities}, in percent to one decimal place, has "
                   "{value} as {col}?"],
    "daterange": ["Count the {entities} whose {date} falls in {month}."],
    "daterange_sum": ["How much {num} was recorded across all {entities} in {month}, in "
                      "total?"],
    "noheader": [" ({input} has no header row; its fields are, in order: {fields}.)"],
    "needle": ["I need the {field} that belongs to {key}. What is it?"],
    "multi_needle": ["Find the {field} for each of {keys} and reply with them comma-separated, "
                     "in the order given."],
    "multi_needle_sum": ["Add up the {field}s recorded for {keys}. What total do you get?"],
    "words_count": ["On how many lines do the words {words} all occur together?"],
    "words_find": ["One {unit} mentions every one of {words}. Which {ref} is it?"],
    "transform_upper": ["Take the {field} of {key} and capitalise every letter. What is the "
                        "result?"],
    "transform_digits": ["Strip everything but the digits from the {field} of {key}. What "
                         "remains?"],
    "transform_initials": ["Reply with just the initials (first letters) of the {field} "
                           "recorded for {key}."],
    "transform_domain": ["Which domain does {key}'s email address belong to?"],
    "sentiment_one": ["Would you say the customer who wrote review {key} was happy or unhappy? "
                      "Answer positive or negative."],
    "sentiment_count": ["Count the reviews whose writers were dissatisfied."],
    "topic": ["One of the sections deals with {topic}. Reply with that section's title."],
    "nested_field": ["Look up {key} and report its {path}."],
    "nested_count": ["For {key}, give the number of {items} listed."],
    "twohop": ["Follow {key} to its {b_entity}: what {take} does that {b_entity} have?"],
    "threehop": ["Starting from {key}, go to its {b_entity}, then to that one's {c_entity}. "
                 "What is the {take} there?"],
    "noinput_arith": ["Compute {expr} and reply with the number."],
    "noinput_divisible": ["Among the whole numbers {lo} through {hi}, count those that are "
                          "multiples of {a} and not multiples of {b}."],
    "noinput_digits": ["Raise {base} to the {exp}th power and add up the decimal digits of "
                       "the result. What total do you get?"],
    "noinput_days": ["Counting from {d1} up to {d2}, how many days lie between the two dates?"],
    "noinput_fib": ["In the sequence 1, 1, 2, 3, 5, 8, …, which number stands at position {n}?"],
    "noinput_vowels": ["Count the letters a, e, i, o and u in {word}."],
}

SPLITS = {"dev": DEV, "test": TEST}


def templates(split: str, key: str) -> list[str]:
    return SPLITS[split][key]
