// The front end: static files from the site bucket; the API's URL comes from config.js, which
// post_deploy.py writes beside them (window.NOTES_API).
async function load() {
  const r = await fetch(window.NOTES_API + "/api/notes");
  const { notes } = await r.json();
  const ul = document.getElementById("notes");
  ul.replaceChildren(...notes.map((n) => Object.assign(document.createElement("li"), { textContent: n.text })));
}
document.getElementById("add").addEventListener("submit", async (e) => {
  e.preventDefault();
  const text = new FormData(e.target).get("text");
  await fetch(window.NOTES_API + "/api/notes", { method: "POST", body: JSON.stringify({ text }), headers: { "Content-Type": "application/json" } });
  e.target.reset();
  load();
});
load();
