// Admin editor: Tab leaves the Body field (no keyboard trap), an "Insert image" dialog that asks
// for alt text, and clear messages for drag-and-drop uploads. Texts come from the page.
(function () {
  "use strict";
  const FAILED_TEXT = "Invalid response";

  // django-markdownx turns Tab into indentation on its textarea, trapping keyboard users.
  // Stopping the event on its way down (capture on window) lets the browser move focus as usual.
  window.addEventListener(
    "keydown",
    function (event) {
      if (event.key === "Tab" && event.target.classList && event.target.classList.contains("markdownx-editor")) {
        event.stopPropagation();
      }
    },
    true
  );

  function messageBox(wrapper) {
    let box = wrapper.parentNode.querySelector(".editor-message");
    if (!box) {
      box = document.createElement("p");
      box.className = "editor-message";
      box.setAttribute("role", "status");
      box.setAttribute("aria-live", "polite");
      wrapper.parentNode.insertBefore(box, wrapper.nextSibling);
    }
    return box;
  }

  function show(wrapper, text, ok) {
    const box = messageBox(wrapper);
    box.textContent = text;
    box.classList.toggle("is-error", !ok);
    box.classList.toggle("is-ok", ok);
  }

  function insertAtCursor(editor, text) {
    const start = editor.selectionStart;
    const end = editor.selectionEnd;
    const before = editor.value.slice(0, start);
    const gap = before && !before.endsWith("\n\n") ? (before.endsWith("\n") ? "\n" : "\n\n") : "";
    editor.value = before + gap + text + "\n" + editor.value.slice(end);
    const caret = (before + gap + text).length;
    editor.setSelectionRange(caret, caret);
    // markdownx refreshes the preview on input.
    editor.dispatchEvent(new Event("input", { bubbles: true }));
  }

  function setUpDialog(dialog, opener) {
    const editor = document.getElementById(dialog.dataset.target);
    const file = dialog.querySelector("input[type=file]");
    const alt = dialog.querySelector("input[type=text]");
    const error = dialog.querySelector(".editor-dialog-error");
    const insert = dialog.querySelector(".editor-image-insert");
    const placeholders = JSON.parse(dialog.dataset.placeholders || "[]");

    opener.addEventListener("click", function () {
      error.textContent = "";
      file.value = "";
      alt.value = "";
      dialog.showModal();
      file.focus();
    });
    dialog.querySelector(".editor-image-cancel").addEventListener("click", function () {
      dialog.close();
    });
    dialog.addEventListener("close", function () {
      opener.focus();
    });
    // The dialog sits inside the article form: Enter must not submit the article.
    dialog.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && event.target.tagName === "INPUT") {
        event.preventDefault();
        insert.click();
      }
    });

    insert.addEventListener("click", function () {
      const description = alt.value.trim().replace(/[\[\]]/g, "");
      if (!file.files.length) {
        error.textContent = dialog.dataset.errorNoFile;
        file.focus();
        return;
      }
      if (!description) {
        error.textContent = dialog.dataset.errorNoAlt;
        alt.focus();
        return;
      }
      if (placeholders.includes(description.toLowerCase().replace(/\.$/, ""))) {
        error.textContent = dialog.dataset.errorPlaceholder;
        alt.focus();
        return;
      }
      const body = new FormData();
      body.append("image", file.files[0]);
      const token = document.querySelector("input[name=csrfmiddlewaretoken]");
      error.textContent = dialog.dataset.uploading;
      insert.disabled = true;
      fetch(dialog.dataset.uploadUrl, {
        method: "POST",
        body: body,
        credentials: "same-origin",
        headers: { "X-CSRFToken": token ? token.value : "" },
      })
        .then(function (response) {
          return response.json().then(function (data) {
            return { ok: response.ok, data: data };
          });
        })
        .then(function (result) {
          if (!result.ok || !result.data.url) {
            error.textContent = result.data.error || dialog.dataset.errorUpload;
            return;
          }
          insertAtCursor(editor, "![" + description + "](" + result.data.url + ")");
          dialog.close();
          show(editor.closest(".markdownx"), dialog.dataset.added, true);
          editor.focus();
        })
        .catch(function () {
          error.textContent = dialog.dataset.errorUpload;
        })
        .finally(function () {
          insert.disabled = false;
        });
    });
  }

  function setUp(wrapper) {
    wrapper.addEventListener("markdownx.fileUploadError", function (event) {
      const response = (event.detail && event.detail[0]) || {};
      show(wrapper, wrapper.dataset.dropFailed + " " + (response.error || wrapper.dataset.uploadFailed), false);
      const editor = wrapper.querySelector("textarea");
      // markdownx inserts its placeholder right after this event; take it out again.
      window.setTimeout(function () {
        editor.value = editor.value.replace(FAILED_TEXT, "");
      }, 0);
    });
    wrapper.addEventListener("markdownx.fileUploadEnd", function () {
      show(wrapper, wrapper.dataset.dropAdded, true);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".markdownx").forEach(setUp);
    document.querySelectorAll(".editor-insert-image").forEach(function (opener) {
      const dialog = document.getElementById(opener.dataset.dialog);
      if (dialog && typeof dialog.showModal === "function") {
        setUpDialog(dialog, opener);
      } else {
        opener.hidden = true;
      }
    });
  });
})();
