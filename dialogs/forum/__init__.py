"""The help-question forum and its FAQ (actions 1.2, 1.3, 4.3, 6.4 and 8.3): ask colleagues a
question (anonymously if need be), answer one, mark the answer that helped, search the answered
questions, and see the open ones."""

from dialogs.forum import accept_answer, answer_question, ask_question, faq, open_questions

DIALOGS = [ask_question.DIALOG, answer_question.DIALOG, accept_answer.DIALOG, faq.DIALOG,
           open_questions.DIALOG]
