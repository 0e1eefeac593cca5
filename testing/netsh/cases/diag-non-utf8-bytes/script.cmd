netsh ipsec static add policy name="overà€¯long"
netsh ipsec static add policy name="overà€¯long"
netsh ipsec static add policy name="ZÃ¼rich õ€€"
netsh ipsec static add policy name="ZÃ¼rich õ€€"
