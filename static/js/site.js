// Progressive enhancement only: every page works without it.
// In a form with a region and an organisation list, show only the chosen region's organisations.
(function () {
  var region = document.getElementById("id_region");
  var organisation = document.getElementById("id_organisation");
  if (!region || !organisation) return;
  function filter() {
    var name = region.selectedIndex > 0 ? region.options[region.selectedIndex].text : "";
    Array.prototype.forEach.call(organisation.querySelectorAll("optgroup"), function (group) {
      var show = !name || group.label === name;
      group.hidden = !show;
      group.disabled = !show;
    });
    var selected = organisation.options[organisation.selectedIndex];
    if (selected && selected.parentNode.disabled) organisation.value = "";
  }
  region.addEventListener("change", filter);
  filter();
})();
