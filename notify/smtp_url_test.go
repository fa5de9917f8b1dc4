package notify

import (
	"strings"
	"testing"
)

func TestParseSMTPURL(t *testing.T) {
	tests := []struct {
		raw     string
		want    SMTPConfig
		wantErr string // substring of the error; "" means success
	}{
		{raw: "smtp://mail.example.com", want: SMTPConfig{Security: SMTPOpportunistic, Host: "mail.example.com", Port: 25}},
		{raw: "smtp+starttls://mail.example.com", want: SMTPConfig{Security: SMTPStartTLS, Host: "mail.example.com", Port: 587}},
		{raw: "smtps://mail.example.com", want: SMTPConfig{Security: SMTPImplicitTLS, Host: "mail.example.com", Port: 465}},
		{raw: "SMTPS://Mail.Example.com:2465/", want: SMTPConfig{Security: SMTPImplicitTLS, Host: "Mail.Example.com", Port: 2465}},
		{raw: "  smtp://127.0.0.1:2525\n", want: SMTPConfig{Security: SMTPOpportunistic, Host: "127.0.0.1", Port: 2525}},
		{raw: "smtp://[::1]:2525", want: SMTPConfig{Security: SMTPOpportunistic, Host: "::1", Port: 2525}},
		{raw: "smtp://[2001:db8::1]", want: SMTPConfig{Security: SMTPOpportunistic, Host: "2001:db8::1", Port: 25}},
		{raw: "smtp+starttls://desk:s3cret@mail.example.com:587",
			want: SMTPConfig{Security: SMTPStartTLS, Host: "mail.example.com", Port: 587, Username: "desk", Password: "s3cret"}},
		{raw: "smtps://desk%40example.com:p%40ss%3Aw%2Frd%20x@mail.example.com",
			want: SMTPConfig{Security: SMTPImplicitTLS, Host: "mail.example.com", Port: 465, Username: "desk@example.com", Password: "p@ss:w/rd x"}},
		{raw: "smtps://desk@example.com:p@ss@mail.example.com", // unescaped "@": the last one ends the user info
			want: SMTPConfig{Security: SMTPImplicitTLS, Host: "mail.example.com", Port: 465, Username: "desk@example.com", Password: "p@ss"}},
		{raw: "smtp://desk@mail.example.com", want: SMTPConfig{Security: SMTPOpportunistic, Host: "mail.example.com", Port: 25, Username: "desk"}},
		{raw: "smtp://desk:@mail.example.com", want: SMTPConfig{Security: SMTPOpportunistic, Host: "mail.example.com", Port: 25, Username: "desk"}},
		{raw: "smtp://mail.example.com?", want: SMTPConfig{Security: SMTPOpportunistic, Host: "mail.example.com", Port: 25}},

		{raw: "", wantErr: "empty"},
		{raw: "mail.example.com:25", wantErr: "missing scheme"},
		{raw: "http://mail.example.com", wantErr: `unknown scheme "http"`},
		{raw: "smtp+tls://mail.example.com", wantErr: `unknown scheme "smtp+tls"`},
		{raw: "smtp://", wantErr: "missing host"},
		{raw: "smtp://:25", wantErr: "missing host"},
		{raw: "smtp://desk:pw@", wantErr: "missing host"},
		{raw: "smtp://host:", wantErr: "empty port"},
		{raw: "smtp://host:abc", wantErr: `bad port "abc"`},
		{raw: "smtp://host:-1", wantErr: `bad port "-1"`},
		{raw: "smtp://host:0", wantErr: "port 0 is out of range"},
		{raw: "smtp://host:65536", wantErr: "port 65536 is out of range"},
		{raw: "smtp://host:99999999999999999999", wantErr: "out of range"},
		{raw: "smtp://host?starttls=1", wantErr: `query parameter "starttls" not understood`},
		{raw: "smtp://host/?b=1&a=2", wantErr: `query parameters "a", "b" not understood`},
		{raw: "smtp://host/path", wantErr: `unexpected path "/path"`},
		{raw: "smtp://host#frag", wantErr: `unexpected fragment "frag"`},
		{raw: "smtp://:secret@host", wantErr: "a password without a user name"},
		{raw: "smtp://@host", wantErr: "empty user name"},
		{raw: "smtp://desk:%zz@host", wantErr: "password is not properly percent-encoded"},
		{raw: "smtp://de%zzsk:pw@host", wantErr: "user name is not properly percent-encoded"},
		{raw: "smtp://ho st", wantErr: "bad host"},
		{raw: "smtp://host_name.example.com/", want: SMTPConfig{Security: SMTPOpportunistic, Host: "host_name.example.com", Port: 25}},
		{raw: "smtp://::1", wantErr: "must be in brackets"},
		{raw: "smtp://[::1", wantErr: `missing "]"`},
		{raw: "smtp://[127.0.0.1]", wantErr: "bad IPv6 address"},
		{raw: "smtp://[::1]x", wantErr: "unexpected"},
	}
	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			got, err := ParseSMTPURL(tt.raw)
			if tt.wantErr != "" {
				if err == nil {
					t.Fatalf("ParseSMTPURL(%q) = %+v, want an error containing %q", tt.raw, got, tt.wantErr)
				}
				if !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ParseSMTPURL(%q) error = %q, want it to contain %q", tt.raw, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseSMTPURL(%q): %v", tt.raw, err)
			}
			if got != tt.want {
				t.Fatalf("ParseSMTPURL(%q) = %#v, want %#v", tt.raw, got, tt.want)
			}
		})
	}
}

func TestParseSMTPURLErrorsHideThePassword(t *testing.T) {
	for _, raw := range []string{
		"smtp://desk:hunter2/x@host",
		"smtp://desk:hunter2?x@host",
		"smtp://desk:hunter2#x@host",
		"desk:hunter2@host",
		"smtpx://desk:hunter2@host",
		"desk:hunter2://x@host",
		"smtp://desk:hunter2@host:abc",
		"smtp://desk:hunter2@ho st",
	} {
		_, err := ParseSMTPURL(raw)
		if err == nil {
			t.Errorf("ParseSMTPURL(%q) succeeded, want an error", raw)
			continue
		}
		if strings.Contains(err.Error(), "hunter2") {
			t.Errorf("ParseSMTPURL(%q) error %q shows the password", raw, err)
		}
	}
}

func TestSMTPConfigString(t *testing.T) {
	cfg, err := ParseSMTPURL("smtp+starttls://desk%40example.com:hunter2@mail.example.com")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := cfg.String(), "smtp+starttls://desk%40example.com@mail.example.com:587"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	v6 := SMTPConfig{Security: SMTPImplicitTLS, Host: "::1", Port: 465}
	if got, want := v6.String(), "smtps://[::1]:465"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	back, err := ParseSMTPURL(cfg.url(true))
	if err != nil || back != cfg {
		t.Errorf("ParseSMTPURL(url(true)) = %#v, %v; want %#v", back, err, cfg)
	}
}

func FuzzParseSMTPURL(f *testing.F) {
	for _, s := range []string{
		"smtp://mail.example.com", "smtps://u:p@h:465", "smtp+starttls://[::1]:587/",
		"smtp://u%40x:p%3A@h?x=1", "smtp://h:0", "smtp://:p@h", "smtp://[::1", "smtp://a@b@c:25#f",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		cfg, err := ParseSMTPURL(raw)
		if err != nil {
			if cfg != (SMTPConfig{}) {
				t.Fatalf("ParseSMTPURL(%q) failed but returned %#v", raw, cfg)
			}
			return
		}
		if cfg.Host == "" || cfg.Port < 1 || cfg.Port > 65535 {
			t.Fatalf("ParseSMTPURL(%q) = %#v: want a host and a port in 1..65535", raw, cfg)
		}
		if err := cfg.validate(); err != nil {
			t.Fatalf("ParseSMTPURL(%q) = %#v, which is invalid: %v", raw, cfg, err)
		}
		// What String and url print reads back to the same config.
		back, err := ParseSMTPURL(cfg.url(true))
		if err != nil || back != cfg {
			t.Fatalf("ParseSMTPURL(%q) = %#v; its URL %q reads back as %#v, %v", raw, cfg, cfg.url(true), back, err)
		}
	})
}
