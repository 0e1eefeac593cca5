netsh ipsec static add policy name="Büro" description="overlong à€¯ and À¯"
netsh ipsec static add policy name="beyond õ€€ ô€€" description="surrogate í €"
netsh ipsec static add policy name="ZÃ¼rich â‚¬ ok" description="cut â‚"
netsh ipsec static add filterlist name="tab	here  del \ back "
