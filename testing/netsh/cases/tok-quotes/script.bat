netsh ipsec static add policy name="My Policy" description="has = and spaces" assign=yes
netsh ipsec static add filteraction name="Block It" action=block
netsh ipsec static add filter filterlist="List A" srcaddr=me dstaddr=10.6.6.6 description="quoted = desc"
netsh ipsec static add rule name="Rule One" policy="My Policy" filterlist="List A" filteraction="Block It"
netsh ipsec static add filterlist name="unterminated
