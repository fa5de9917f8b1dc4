// Package widget holds the browser side of the gateway: the demo page, and (with the
// real-time core) widget.js and the agent console, embedded in the binary.
package widget

import (
	"bytes"
	"embed"
	"html"
	"io/fs"
)

//go:embed static
var static embed.FS

// DemoPage returns the demo page for a site: what a company's web page with the
// widget embedded looks like.
func DemoPage(siteID string) []byte {
	b, err := static.ReadFile("static/demo.html")
	if err != nil {
		panic("widget: demo.html missing from the binary: " + err.Error())
	}
	return bytes.ReplaceAll(b, []byte("{{SITE_ID}}"), []byte(html.EscapeString(siteID)))
}

// Script returns widget.js.
func Script() []byte {
	b, err := static.ReadFile("static/widget.js")
	if err != nil {
		panic("widget: widget.js missing from the binary: " + err.Error())
	}
	return b
}

// Favicon returns the icon of the console and the demo page (SVG), served at
// /favicon.svg.
func Favicon() []byte {
	b, err := static.ReadFile("static/favicon.svg")
	if err != nil {
		panic("widget: favicon.svg missing from the binary: " + err.Error())
	}
	return b
}

// Console returns the files of the agent console (index.html at its root).
func Console() fs.FS {
	sub, err := fs.Sub(static, "static/console")
	if err != nil {
		panic("widget: console missing from the binary: " + err.Error())
	}
	return sub
}
