// "Use my location" on the Find a PT search. Without JavaScript, or if the patient says no,
// the ZIP code or city field works the same. Coordinates are rounded to about 100 m.
// Its messages come from the form's data attributes, in the page's language.
const form = document.querySelector("form.js-find-a-pt");
const button = form && form.querySelector(".js-use-location");
const status = form && form.querySelector(".js-location-status");

if (form && button && status && "geolocation" in navigator) {
  const { lat, lon } = form.elements;
  const place = form.elements.location;

  button.hidden = false;
  button.addEventListener("click", () => {
    button.disabled = true;
    status.textContent = form.dataset.finding;
    navigator.geolocation.getCurrentPosition(
      (position) => {
        lat.value = position.coords.latitude.toFixed(3);
        lon.value = position.coords.longitude.toFixed(3);
        place.value = "";
        status.textContent = form.dataset.searching;
        form.submit();
      },
      () => {
        button.disabled = false;
        status.textContent = form.dataset.failed;
        place.focus();
      },
      { timeout: 15000, maximumAge: 600000 },
    );
  });

  // A typed place replaces the browser's location.
  place.addEventListener("input", () => {
    lat.value = "";
    lon.value = "";
  });
}
