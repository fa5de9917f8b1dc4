package notify

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// SMTPSecurity says how a connection to the SMTP server is protected.
type SMTPSecurity int

const (
	// SMTPOpportunistic (smtp://) connects in plain text and upgrades with STARTTLS
	// when the server offers it. Without the offer the message goes in plain text;
	// once offered, a failed upgrade (a bad certificate, say) fails the send.
	SMTPOpportunistic SMTPSecurity = iota + 1
	// SMTPStartTLS (smtp+starttls://) connects in plain text and requires STARTTLS:
	// a server that does not offer it fails the send before anything else is said.
	SMTPStartTLS
	// SMTPImplicitTLS (smtps://) speaks TLS from the first byte.
	SMTPImplicitTLS
)

// Default ports per scheme.
const (
	DefaultSMTPPort     = 25
	DefaultStartTLSPort = 587
	DefaultSMTPSPort    = 465
)

// Scheme returns the URL scheme of the mode ("smtp", "smtp+starttls", "smtps"), or
// "" for an unknown mode.
func (m SMTPSecurity) Scheme() string {
	switch m {
	case SMTPOpportunistic:
		return "smtp"
	case SMTPStartTLS:
		return "smtp+starttls"
	case SMTPImplicitTLS:
		return "smtps"
	}
	return ""
}

// SMTPConfig is where and how to deliver e-mail, as ParseSMTPURL reads it. Its
// String form leaves the password out, so logging a config never leaks it.
type SMTPConfig struct {
	Security SMTPSecurity
	// Host is a DNS name or an IP address, without brackets.
	Host string
	// Port is in 1..65535.
	Port int
	// Username, when not empty, makes the client authenticate with AUTH PLAIN.
	Username string
	Password string
}

// Addr returns host:port, IPv6 addresses bracketed.
func (c SMTPConfig) Addr() string {
	return net.JoinHostPort(c.Host, strconv.Itoa(c.Port))
}

// String returns the config as a URL without the password, e.g.
// "smtps://desk@mail.example.com:465".
func (c SMTPConfig) String() string { return c.url(false) }

// url returns the config as a URL that ParseSMTPURL reads back, with the password
// when withPassword is set.
func (c SMTPConfig) url(withPassword bool) string {
	u := url.URL{Scheme: c.Security.Scheme(), Host: c.Addr()}
	if c.Username != "" {
		if withPassword && c.Password != "" {
			u.User = url.UserPassword(c.Username, c.Password)
		} else {
			u.User = url.User(c.Username)
		}
	}
	return u.String()
}

// validate reports what makes a config unusable; configs from ParseSMTPURL are
// always valid.
func (c SMTPConfig) validate() error {
	if c.Security.Scheme() == "" {
		return fmt.Errorf("unknown security mode %d", int(c.Security))
	}
	if err := checkSMTPHost(c.Host); err != nil {
		return err
	}
	if c.Port < 1 || c.Port > 65535 {
		return fmt.Errorf("port %d is out of range 1-65535", c.Port)
	}
	if c.Username == "" && c.Password != "" {
		return errors.New("a password without a user name")
	}
	return nil
}

// ParseSMTPURL reads an SMTP server URL:
//
//	smtp://[user[:password]@]host[:port]           plain, STARTTLS when offered (port 25)
//	smtp+starttls://[user[:password]@]host[:port]  STARTTLS required (port 587)
//	smtps://[user[:password]@]host[:port]          implicit TLS (port 465)
//
// User and password are percent-decoded (write "@" as %40, ":" as %3A). A trailing
// "/" is allowed; any other path, a query or a fragment is an error, as are a
// password without a user, a missing host and a port outside 1..65535. Every error
// names what is wrong and never contains the password.
func ParseSMTPURL(raw string) (SMTPConfig, error) {
	cfg, err := parseSMTPURL(strings.TrimSpace(raw))
	if err != nil {
		return SMTPConfig{}, fmt.Errorf("smtp url: %w", err)
	}
	return cfg, nil
}

func parseSMTPURL(raw string) (SMTPConfig, error) {
	var cfg SMTPConfig
	if raw == "" {
		return cfg, errors.New("empty; want smtp://, smtp+starttls:// or smtps://host[:port]")
	}
	scheme, rest, ok := strings.Cut(raw, "://")
	if !ok {
		return cfg, errors.New("missing scheme; want smtp://, smtp+starttls:// or smtps://host[:port]")
	}
	switch strings.ToLower(scheme) {
	case "smtp":
		cfg.Security, cfg.Port = SMTPOpportunistic, DefaultSMTPPort
	case "smtp+starttls":
		cfg.Security, cfg.Port = SMTPStartTLS, DefaultStartTLSPort
	case "smtps":
		cfg.Security, cfg.Port = SMTPImplicitTLS, DefaultSMTPSPort
	default:
		return cfg, fmt.Errorf("unknown scheme %q; want smtp, smtp+starttls or smtps", redactUserinfo(scheme))
	}
	// Split the URL by hand: url.Parse's errors quote the whole URL, password
	// included. The authority ends at the first "/", "?" or "#"; in it, everything
	// up to the last "@" is user information.
	hostport, tail := rest, ""
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		hostport, tail = rest[:i], rest[i:]
	}
	if err := checkSMTPTail(tail); err != nil {
		return cfg, err
	}
	if i := strings.LastIndex(hostport, "@"); i >= 0 {
		var err error
		cfg.Username, cfg.Password, err = parseSMTPUserinfo(hostport[:i])
		if err != nil {
			return cfg, err
		}
		hostport = hostport[i+1:]
	}
	host, port, err := splitSMTPHostPort(hostport)
	if err != nil {
		return cfg, err
	}
	cfg.Host = host
	if port != 0 {
		cfg.Port = port
	}
	return cfg, nil
}

// checkSMTPTail accepts what may follow the authority: nothing or "/". Its errors
// quote the offending part unless it holds an "@": then it may be the rest of a
// password with an unescaped "/", "?" or "#", which is said instead.
func checkSMTPTail(tail string) error {
	if tail == "" || tail == "/" {
		return nil
	}
	if strings.Contains(tail, "@") {
		return errors.New(`unexpected text after the host; if the password contains "/", "?" or "#", percent-encode them (%2F, %3F, %23)`)
	}
	rest, fragment, hasFragment := strings.Cut(tail, "#")
	path, query, hasQuery := strings.Cut(rest, "?")
	if path != "" && path != "/" {
		return fmt.Errorf("unexpected path %q; an SMTP URL has none", path)
	}
	if hasQuery && query != "" {
		values, err := url.ParseQuery(query)
		if err != nil || len(values) == 0 {
			return fmt.Errorf("query %q not understood; an SMTP URL takes no query parameters", query)
		}
		keys := make([]string, 0, len(values))
		for k := range values {
			keys = append(keys, strconv.Quote(k))
		}
		sort.Strings(keys)
		noun := "parameter"
		if len(keys) > 1 {
			noun = "parameters"
		}
		return fmt.Errorf("query %s %s not understood; an SMTP URL takes none", noun, strings.Join(keys, ", "))
	}
	if hasFragment && fragment != "" {
		return fmt.Errorf("unexpected fragment %q", fragment)
	}
	return nil
}

// parseSMTPUserinfo decodes "user[:password]".
func parseSMTPUserinfo(info string) (user, password string, err error) {
	rawUser, rawPass, hasPass := strings.Cut(info, ":")
	user, err = url.PathUnescape(rawUser)
	if err != nil {
		return "", "", fmt.Errorf("user name is not properly percent-encoded")
	}
	if hasPass {
		password, err = url.PathUnescape(rawPass)
		if err != nil {
			return "", "", fmt.Errorf("password is not properly percent-encoded")
		}
	}
	if user == "" && password != "" {
		return "", "", errors.New("a password without a user name")
	}
	if user == "" && (hasPass || info == "") {
		return "", "", errors.New("empty user name before \"@\"")
	}
	return user, password, nil
}

// splitSMTPHostPort splits "host[:port]" (IPv6 in brackets); port is 0 when absent.
func splitSMTPHostPort(hostport string) (host string, port int, err error) {
	if hostport == "" {
		return "", 0, errors.New("missing host")
	}
	host, portText := hostport, ""
	hasPort := false
	if strings.HasPrefix(hostport, "[") {
		end := strings.Index(hostport, "]")
		if end < 0 {
			return "", 0, fmt.Errorf("missing \"]\" in IPv6 host %q", hostport)
		}
		host = hostport[1:end]
		after := hostport[end+1:]
		if after != "" {
			if after[0] != ':' {
				return "", 0, fmt.Errorf("unexpected %q after IPv6 host", after)
			}
			portText, hasPort = after[1:], true
		}
		if ip := net.ParseIP(host); ip == nil || ip.To4() != nil {
			return "", 0, fmt.Errorf("bad IPv6 address %q", host)
		}
	} else {
		if strings.Count(hostport, ":") > 1 {
			return "", 0, fmt.Errorf("IPv6 host %q must be in brackets, e.g. [::1]:25", hostport)
		}
		if i := strings.LastIndex(hostport, ":"); i >= 0 {
			host, portText, hasPort = hostport[:i], hostport[i+1:], true
		}
		if err := checkSMTPHost(host); err != nil {
			return "", 0, err
		}
	}
	if hasPort {
		port, err = parseSMTPPort(portText)
		if err != nil {
			return "", 0, err
		}
	}
	return host, port, nil
}

func parseSMTPPort(s string) (int, error) {
	if s == "" {
		return 0, errors.New("empty port after \":\"")
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return 0, fmt.Errorf("bad port %q; want a number 1-65535", s)
		}
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > 65535 {
		return 0, fmt.Errorf("port %s is out of range 1-65535", s)
	}
	return n, nil
}

// checkSMTPHost accepts an IP address or a DNS name made of letters, digits, "-",
// "_" and ".".
func checkSMTPHost(host string) error {
	if host == "" {
		return errors.New("missing host")
	}
	if net.ParseIP(host) != nil {
		return nil
	}
	if len(host) > 253 {
		return errors.New("host name longer than 253 characters")
	}
	for i := 0; i < len(host); i++ {
		c := host[i]
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.'
		if !ok {
			return fmt.Errorf("bad host %q: only letters, digits, \"-\", \"_\" and \".\" (or an IP address in brackets for IPv6)", host)
		}
	}
	return nil
}

// redactUserinfo keeps a would-be scheme that swallowed "user:password@" out of
// error messages.
func redactUserinfo(s string) string {
	if strings.ContainsAny(s, "@:/") || len(s) > 32 {
		return "…"
	}
	return s
}
