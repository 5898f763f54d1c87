// "Salin" copies a field (docs/portal.md); no clipboard API: select, execCommand.
document.addEventListener('click', ev => {
  const b = ev.target.closest('button.copy'), n = b && document.getElementById(b.dataset.copy);
  if (!n) return;
  const ok = () => { b.textContent = 'Tersalin'; b.classList.add('copied'); },
    pick = () => getSelection().selectAllChildren(n);
  if (navigator.clipboard && isSecureContext) navigator.clipboard.writeText(n.textContent).then(ok, pick);
  else { pick(); try { document.execCommand('copy') && ok(); } catch (e) {} }
});
document.querySelectorAll('button.copy[hidden]').forEach(b => { b.hidden = false; });
