// Package widget holds the browser side of the gateway: the demo page, and (with the
// real-time core) widget.js and the agent console, embedded in the binary.
package widget

import (
	"bytes"
	"embed"
	"html"
	"io/fs"
	"sync"
)

//go:embed static
var static embed.FS

// DemoPage returns the demo page for a site: what a company's web page with the
// widget embedded looks like.
func DemoPage(siteID string) []byte {
	return bytes.ReplaceAll(mustRead("static/demo.html"), []byte("{{SITE_ID}}"), []byte(html.EscapeString(siteID)))
}

// Script returns widget.js as served: the shared socket client (socket.js), the
// widget's words (strings.js), its style sheet (style.js), its department picker
// (departments.js) and the widget (static/widget.js) in one function, so a page embeds the widget with one script tag
// and sees no name but window.LivedeskWidget. Built once.
func Script() []byte {
	scriptOnce.Do(func() {
		var b bytes.Buffer
		b.WriteString("(function () {\n")
		for _, name := range widgetParts {
			b.Write(mustRead(name))
		}
		b.WriteString("})();\n")
		script = b.Bytes()
	})
	return script
}

// widgetParts are the files of widget.js, in order: each defines what the next use.
var widgetParts = []string{"static/socket.js", "static/strings.js", "static/style.js", "static/departments.js", "static/widget.js"}

var (
	scriptOnce sync.Once
	script     []byte
)

func mustRead(name string) []byte {
	b, err := static.ReadFile(name)
	if err != nil {
		panic("widget: " + name + " missing from the binary: " + err.Error())
	}
	return b
}

// Favicon returns the icon of the console and the demo page (SVG), served at
// /favicon.svg.
func Favicon() []byte {
	return mustRead("static/favicon.svg")
}

// Console returns the files of the agent console (index.html at its root), with the
// shared socket client at socket.js.
func Console() fs.FS {
	sub, err := fs.Sub(static, "static/console")
	if err != nil {
		panic("widget: console missing from the binary: " + err.Error())
	}
	return consoleFS{sub}
}

// consoleFS is the console's folder plus socket.js, which lives beside widget.js
// because both scripts are built from it.
type consoleFS struct{ fs.FS }

func (c consoleFS) Open(name string) (fs.File, error) {
	if name == "socket.js" {
		return static.Open("static/socket.js")
	}
	return c.FS.Open(name)
}
