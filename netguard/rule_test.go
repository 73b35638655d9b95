package netguard

import (
	"net/netip"
	"strings"
	"testing"
)

// The rule is tested on the function itself: no traffic goes anywhere.
func TestCheckAddrRefuses(t *testing.T) {
	for _, tc := range []struct {
		addr, class string
	}{
		{"127.0.0.1", "loopback"},
		{"127.0.0.2", "loopback"},
		{"127.255.255.254", "loopback"},
		{"::1", "loopback"},
		{"10.0.0.1", "private"},
		{"10.255.255.255", "private"},
		{"172.16.0.1", "private"},
		{"172.31.255.254", "private"},
		{"192.168.1.1", "private"},
		{"fc00::1", "private"},
		{"fd12:3456:789a::1", "private"},
		{"169.254.169.254", "link-local"}, // cloud metadata
		{"fe80::1", "link-local"},
		{"fe80::1%eth0", "link-local"},
		{"0.0.0.0", "unspecified"},
		{"0.1.2.3", "unspecified"},
		{"::", "unspecified"},
		{"100.64.0.1", "CGNAT"},
		{"100.127.255.254", "CGNAT"},
		{"224.0.0.1", "multicast"},
		{"239.255.255.250", "multicast"},
		{"ff02::1", "multicast"},
		{"ff05::2", "multicast"},
		{"255.255.255.255", "broadcast"},
		{"240.0.0.1", "reserved"},
		{"192.0.2.10", "documentation"},
		{"2001:db8::1", "documentation"},
		{"fec0::1", "site-local"},
		// IPv4-mapped IPv6 forms.
		{"::ffff:127.0.0.1", "IPv4-mapped"},
		{"::ffff:10.1.2.3", "IPv4-mapped"},
		{"::ffff:169.254.169.254", "IPv4-mapped"},
		{"::ffff:0.0.0.0", "IPv4-mapped"},
		{"::ffff:100.64.0.1", "IPv4-mapped"},
		{"::ffff:192.168.0.1", "IPv4-mapped"},
		{"::ffff:224.0.0.1", "IPv4-mapped"},
		{"::ffff:255.255.255.255", "IPv4-mapped"},
		// IPv4-compatible forms (deprecated; never public).
		{"::127.0.0.1", "IPv4-compatible"},
		{"::10.0.0.1", "IPv4-compatible"},
		{"::169.254.169.254", "IPv4-compatible"},
		{"::8.8.8.8", "not a global unicast"},
		// NAT64 and 6to4 forms of refused IPv4 addresses.
		{"64:ff9b::127.0.0.1", "NAT64"},
		{"64:ff9b::10.0.0.1", "NAT64"},
		{"64:ff9b::169.254.169.254", "NAT64"},
		{"64:ff9b:1::1", "local-use NAT64"},
		{"2002:7f00:1::1", "6to4"},
		{"2002:c0a8:101::1", "6to4"},
		// Not global unicast at all.
		{"100::1", "discard"},
		{"2001::1", "IETF"},
	} {
		ip, err := netip.ParseAddr(tc.addr)
		if err != nil {
			t.Fatalf("bad test address %q: %v", tc.addr, err)
		}
		err = CheckAddr(ip)
		if err == nil {
			t.Errorf("CheckAddr(%s) = nil, want refused as %s", tc.addr, tc.class)
			continue
		}
		if !strings.Contains(err.Error(), tc.class) {
			t.Errorf("CheckAddr(%s) = %q, want a reason naming %q", tc.addr, err, tc.class)
		}
	}
}

func TestCheckAddrAllowsPublic(t *testing.T) {
	for _, a := range []string{
		"8.8.8.8", "1.1.1.1", "93.184.216.34", "172.15.255.255", "172.32.0.1",
		"100.63.255.255", "100.128.0.1", "169.253.0.1", "192.169.0.1", "223.255.255.254",
		"2606:4700:4700::1111", "2001:4860:4860::8888", "2a00:1450:4001::1",
		"::ffff:8.8.8.8",   // the mapped form of a public address
		"64:ff9b::8.8.8.8", // NAT64 of a public address
		"2002:808:808::1",  // 6to4 of 8.8.8.8
	} {
		if err := CheckAddr(netip.MustParseAddr(a)); err != nil {
			t.Errorf("CheckAddr(%s) = %v, want allowed", a, err)
		}
	}
	if CheckAddr(netip.Addr{}) == nil {
		t.Error("the zero Addr must be refused")
	}
}
