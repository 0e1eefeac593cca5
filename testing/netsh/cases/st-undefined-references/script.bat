netsh ipsec static add policy name=tomcatgo assign=y
netsh ipsec static add filter filterlist=Filter1 srcaddr=any dstaddr=Me dstport=135 protocol=TCP mirrored = yes
netsh ipsec static add filteraction name=Filteraction1 action=block
netsh ipsec static add rule name=Rule1 policy=tomcatgo filterlist=Filter1 filteraction=FilteraAtion1
netsh ipsec static add rule name=Rule2 policy=tomcatgo filterlist=filter1 filteraction=Filteraction1
netsh ipsec static add rule name=Rule3 policy=Tomcatgo filterlist=Filter1 filteraction=Filteraction1
