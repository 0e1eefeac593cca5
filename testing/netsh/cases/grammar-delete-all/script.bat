netsh ipsec static add policy name=ipsec_base_config assign=yes
netsh ipsec static add filteraction name=B action=block
netsh ipsec static add filter filterlist=L1 srcaddr=any dstaddr=me protocol=tcp dstport=135
netsh ipsec static add filter filterlist=L2 srcaddr=any dstaddr=me protocol=tcp dstport=445
netsh ipsec static add rule name=R1 policy=ipsec_base_config filterlist=L1 filteraction=B
netsh ipsec static add rule name=R2 policy=ipsec_base_config filterlist=L2 filteraction=B
netsh ipsec static del rule all ipsec_base_config
netsh ipsec static add rule name=R3 policy=ipsec_base_config filterlist=L1 filteraction=B
netsh ipsec static delete rule all policy=ipsec_base_config
netsh ipsec static delete filterlist all
netsh ipsec static delete filteraction all
netsh ipsec static add policy name=other assign=yes
netsh ipsec static add filteraction name=B2 action=block
netsh ipsec static add filter filterlist=L3 srcaddr=any dstaddr=me protocol=udp dstport=137
netsh ipsec static add rule name=R4 policy=other filterlist=L3 filteraction=B2
netsh ipsec static delete rule all other
netsh ipsec static delete policy all
netsh ipsec static add policy name=last assign=yes
netsh ipsec static add filteraction name=B3 action=block
netsh ipsec static add filter filterlist=L4 srcaddr=any dstaddr=me protocol=udp dstport=138
netsh ipsec static add rule name=R5 policy=last filterlist=L4 filteraction=B3
