// Admin editor: say clearly why an image upload was refused, and confirm one that worked.
// django-markdownx fires these events on the editor's wrapper; without them it only writes
// "Invalid response" into the text.
(function () {
  "use strict";
  const FAILED_TEXT = "Invalid response";

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

  function setUp(wrapper) {
    wrapper.addEventListener("markdownx.fileUploadError", function (event) {
      const response = (event.detail && event.detail[0]) || {};
      show(wrapper, "Image not added: " + (response.error || "the upload failed."), false);
      const editor = wrapper.querySelector("textarea");
      // markdownx inserts its placeholder right after this event; take it out again.
      window.setTimeout(function () {
        editor.value = editor.value.replace(FAILED_TEXT, "");
      }, 0);
    });
    wrapper.addEventListener("markdownx.fileUploadEnd", function () {
      show(wrapper, "Image added. Replace “describe the image” with what the picture shows.", true);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".markdownx").forEach(setUp);
  });
})();
