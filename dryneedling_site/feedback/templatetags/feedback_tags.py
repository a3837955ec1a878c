"""The widget's state for templates/feedback/widget.html."""

from django import template

from dryneedling_site.feedback.widget import WidgetState

register = template.Library()


@register.simple_tag(takes_context=True)
def feedback_widget_state(context: template.Context) -> WidgetState:
    """The state a feedback view put in the context, else the question (article pages).

    Article pages never get a per-visitor state, so they stay the same for everyone.
    """
    state = context.get("feedback_widget")
    return state if isinstance(state, WidgetState) else WidgetState()
