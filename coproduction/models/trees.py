"""What models arranged in a tree by a `parent` foreign key share (themes, actions)."""


class ParentChain:
    """A model with a nullable `parent` to its own kind."""

    def would_cycle(self, new_parent) -> bool:
        """True if making new_parent this item's parent would put the item inside itself."""
        seen = set()
        node = new_parent
        while node is not None:
            if node.pk == self.pk or node.pk in seen:
                return True
            seen.add(node.pk)
            node = node.parent
        return False
