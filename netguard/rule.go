// Package netguard fetches from hosts that users and feeds name (podcast
// feeds, transcripts, chapter files, audio) without letting those URLs
// reach recap's own machine or network.
//
// The HTTP client it builds allows only http and https, and refuses to
// connect to loopback, private, link-local, unspecified, shared (CGNAT),
// multicast, broadcast and other special-purpose addresses, including their
// IPv4-mapped, IPv4-compatible, NAT64 and 6to4 IPv6 forms. The check runs
// on the address actually dialled (net.Dialer.ControlContext), so it holds
// after DNS, for every address a name resolves to, and on every redirect;
// a name that resolves to a refused address is refused. Environment
// proxies are not used: a proxy would dial on our behalf, unchecked.
// Config.AllowPrivate (RECAP_ALLOW_PRIVATE_URLS) lifts the address rule.
package netguard

import (
	"fmt"
	"net/netip"
)

// special lists the IPv4 and IPv6 ranges that are not the public internet,
// with the reason given when an address in one is refused. The order
// matters only for the reason: the first match names it.
var special = []struct {
	prefix netip.Prefix
	why    string
}{
	{netip.MustParsePrefix("0.0.0.0/8"), "unspecified (0.0.0.0/8, \"this network\")"},
	{netip.MustParsePrefix("127.0.0.0/8"), "loopback"},
	{netip.MustParsePrefix("10.0.0.0/8"), "private (RFC 1918)"},
	{netip.MustParsePrefix("172.16.0.0/12"), "private (RFC 1918)"},
	{netip.MustParsePrefix("192.168.0.0/16"), "private (RFC 1918)"},
	{netip.MustParsePrefix("100.64.0.0/10"), "shared address space (CGNAT, RFC 6598)"},
	{netip.MustParsePrefix("169.254.0.0/16"), "link-local"},
	{netip.MustParsePrefix("192.0.0.0/24"), "IETF protocol assignments (RFC 6890)"},
	{netip.MustParsePrefix("192.0.2.0/24"), "documentation (TEST-NET-1)"},
	{netip.MustParsePrefix("198.18.0.0/15"), "benchmarking (RFC 2544)"},
	{netip.MustParsePrefix("198.51.100.0/24"), "documentation (TEST-NET-2)"},
	{netip.MustParsePrefix("203.0.113.0/24"), "documentation (TEST-NET-3)"},
	{netip.MustParsePrefix("224.0.0.0/4"), "multicast"},
	{netip.MustParsePrefix("255.255.255.255/32"), "broadcast"},
	{netip.MustParsePrefix("240.0.0.0/4"), "reserved (240.0.0.0/4)"},

	{netip.MustParsePrefix("::/128"), "unspecified"},
	{netip.MustParsePrefix("::1/128"), "loopback"},
	{netip.MustParsePrefix("fc00::/7"), "private (unique local, fc00::/7)"},
	{netip.MustParsePrefix("fe80::/10"), "link-local"},
	{netip.MustParsePrefix("fec0::/10"), "site-local (deprecated)"},
	{netip.MustParsePrefix("ff00::/8"), "multicast"},
	{netip.MustParsePrefix("64:ff9b:1::/48"), "local-use NAT64 (RFC 8215)"},
	{netip.MustParsePrefix("100::/64"), "discard-only (RFC 6666)"},
	{netip.MustParsePrefix("2001:db8::/32"), "documentation"},
	{netip.MustParsePrefix("2001::/23"), "IETF protocol assignments (RFC 2928)"},
}

// Prefixes whose IPv6 addresses carry an IPv4 address, which is checked in
// turn: NAT64's well-known prefix (last 32 bits) and 6to4 (bits 16–48).
var (
	nat64      = netip.MustParsePrefix("64:ff9b::/96")
	sixToFour  = netip.MustParsePrefix("2002::/16")
	v4Compat   = netip.MustParsePrefix("::/96") // IPv4-compatible, deprecated (RFC 4291)
	globalUni6 = netip.MustParsePrefix("2000::/3")
)

// CheckAddr says whether recap may connect to ip: nil for a public
// unicast address, otherwise an error naming the class the address is in.
// It is the one rule behind every guarded connection.
func CheckAddr(ip netip.Addr) error {
	if !ip.IsValid() {
		return fmt.Errorf("no valid IP address")
	}
	ip = ip.WithZone("")
	orig := ip
	if ip.Is4In6() {
		// ::ffff:127.0.0.1 reaches 127.0.0.1.
		ip = ip.Unmap()
	}
	if why := class(ip); why != "" {
		if ip != orig {
			return fmt.Errorf("%s is an IPv4-mapped form of %s, which is %s", orig, ip, why)
		}
		return fmt.Errorf("%s is %s", ip, why)
	}
	if ip.Is6() {
		if v4, kind, ok := embedded(ip); ok {
			if err := CheckAddr(v4); err != nil {
				return fmt.Errorf("%s is the %s form of %s: %w", ip, kind, v4, err)
			}
		}
		if !globalUni6.Contains(ip) && !nat64.Contains(ip) {
			return fmt.Errorf("%s is not a global unicast IPv6 address", ip)
		}
	}
	return nil
}

// class is the reason ip is refused, "" when it is not in a special range.
func class(ip netip.Addr) string {
	for _, s := range special {
		if s.prefix.Contains(ip) {
			return s.why
		}
	}
	return ""
}

// embedded returns the IPv4 address inside an IPv4-compatible, NAT64 or
// 6to4 IPv6 address.
func embedded(ip netip.Addr) (netip.Addr, string, bool) {
	b := ip.As16()
	switch {
	case v4Compat.Contains(ip):
		return netip.AddrFrom4([4]byte(b[12:16])), "IPv4-compatible", true
	case nat64.Contains(ip):
		return netip.AddrFrom4([4]byte(b[12:16])), "NAT64", true
	case sixToFour.Contains(ip):
		return netip.AddrFrom4([4]byte(b[2:6])), "6to4", true
	}
	return netip.Addr{}, "", false
}
