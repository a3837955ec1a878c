// "Is this content helpful?": sends the widget's forms with fetch and updates the widget in
// place, announcing each step in its live region. Without JavaScript the same forms post to
// the server, which answers with a thank-you page. Its messages come from the widget's data
// attributes, in the page's language ("{count}" stands for a number).
const widget = document.querySelector("[data-feedback]");
const text = widget ? widget.dataset : {};
const FAILED = text.failed;
const numbers = new Intl.NumberFormat(text.numberLocale || "en-US");

if (widget) {
  enhance(widget);
}

function enhance(widget) {
  const status = widget.querySelector("[data-feedback-status]");
  const template = widget.querySelector("template[data-feedback-comment-template]");
  let busy = false;

  for (const form of widget.querySelectorAll("form[data-feedback-form]")) {
    countCharacters(form);
  }

  widget.addEventListener("submit", async (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.matches("[data-feedback-form]")) {
      return;
    }
    event.preventDefault();
    if (busy) {
      return; // a double click sends one answer
    }
    busy = true;
    form.setAttribute("aria-busy", "true");
    const reply = await send(form, event.submitter);
    busy = false;
    form.removeAttribute("aria-busy");

    if (!reply.ok) {
      // Focus the message, as the page without JavaScript focuses its error summary.
      announce(status, reply.error || FAILED, { error: true, focus: true });
    } else if (reply.state === "answered" && template) {
      const commentForm = template.content.querySelector("form").cloneNode(true);
      commentForm.querySelector("[data-feedback-answer]").value = reply.answer;
      commentForm.querySelector("[data-feedback-label]").textContent = reply.comment_label;
      form.replaceWith(commentForm);
      countCharacters(commentForm);
      announce(status, reply.message);
      // The buttons are gone; the comment box is the next thing to do.
      commentForm.querySelector("textarea").focus();
    } else {
      form.remove();
      // Focus the confirmation so it is not lost with the form that held it.
      announce(status, reply.message, { focus: true });
    }
  });
}

async function send(form, submitter) {
  try {
    const response = await fetch(form.action, {
      method: "POST",
      body: new URLSearchParams(new FormData(form, submitter || null)),
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    });
    return await response.json();
  } catch {
    return { ok: false, error: FAILED };
  }
}

function announce(status, message, { error = false, focus = false } = {}) {
  status.classList.toggle("feedback-status-error", error);
  status.textContent = "";
  // A moment's gap makes screen readers announce a message even when it repeats.
  window.setTimeout(() => {
    status.textContent = message;
    if (focus) {
      status.focus();
    }
  }, 50);
}

function countCharacters(form) {
  const comment = form.querySelector("[data-feedback-comment]");
  const count = form.querySelector("[data-feedback-count]");
  if (!comment || !count) {
    return;
  }
  const max = Number(count.dataset.max);
  const update = () => {
    const left = max - comment.value.length;
    const message = left < 0 ? text.countOver : left === 1 ? text.countLeftOne : text.countLeftOther;
    count.textContent = message.replace("{count}", numbers.format(Math.abs(left)));
  };
  comment.addEventListener("input", update);
  update();
}
