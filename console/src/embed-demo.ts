// The example page (embed.html?key=…&lang=en) adds the widget's one script tag with the key given in the
// address. A real page writes its CUSTOMER key into the tag itself.
const params = new URLSearchParams(location.search);
const tag = document.createElement('script');
tag.src = '/console/widget.js';
tag.async = true;
tag.dataset.apiKey = params.get('key') ?? '';
tag.dataset.language = params.get('lang') ?? 'en';
document.body.appendChild(tag);
